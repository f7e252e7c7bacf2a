/* Quanke — 人像登记 at the counter: take the photo with the counter's camera and put it into
   the form's file field, so the page posts the same way as when a file is chosen. Without a
   camera (or without this script) the file field alone works. No inline script (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("portrait-form");
  if (!form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.DataTransfer) { return; }
  var start = document.getElementById("portrait-start");
  var box = document.getElementById("portrait-camera");
  var video = document.getElementById("portrait-video");
  var canvas = document.getElementById("portrait-canvas");
  var preview = document.getElementById("portrait-preview");
  var shoot = document.getElementById("portrait-shoot");
  var again = document.getElementById("portrait-again");
  var input = document.getElementById("photo");
  var stream = null;
  start.hidden = false;

  function live(on) {
    video.hidden = !on; shoot.hidden = !on; preview.hidden = on; again.hidden = on;
  }
  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false })
      .then(function (s) {
        stream = s; video.srcObject = s; box.hidden = false; start.hidden = true; live(true);
        return video.play();
      }).catch(function () { start.hidden = true; });
  });
  shoot.addEventListener("click", function () {
    canvas.width = video.videoWidth || 1280; canvas.height = video.videoHeight || 960;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(function (blob) {
      var files = new DataTransfer();
      files.items.add(new File([blob], "counter-photo.jpg", { type: "image/jpeg" }));
      input.files = files.files;
      preview.src = URL.createObjectURL(blob);
      live(false);
    }, "image/jpeg", 0.92);
  });
  again.addEventListener("click", function () { live(true); });
  window.addEventListener("pagehide", function () {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
  });
}());
