/* Quanke — remote identity steps (不见面审批): the camera burst with a blink prompt, polling
   of the face check, and the signature pad. Loaded only on those pages; the pages work
   without it (photo upload, typed-name signature). No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function show(el, on) { if (el) { el.hidden = !on; } }
  function sleep(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  // ---------------------------------------------------------------- face: camera burst
  function initCamera(step) {
    var startButton = document.getElementById("camera-start");
    var camera = document.getElementById("camera");
    var video = document.getElementById("camera-video");
    var prompt = document.getElementById("camera-prompt");
    var errorBox = document.getElementById("camera-error");
    var progress = document.getElementById("face-progress");
    var progressBar = document.getElementById("face-progress-bar");
    var progressText = document.getElementById("face-progress-text");
    var resultBox = document.getElementById("face-result");
    var template = document.getElementById("face-result-template");
    var count = parseInt(step.dataset.frames, 10) || 12;
    var interval = parseInt(step.dataset.interval, 10) || 150;
    var msg = step.dataset;
    var busy = false;

    function fail(text) {
      errorBox.textContent = text;
      show(errorBox, true);
      show(progress, false);
      show(camera, false);
      startButton.hidden = false;
      busy = false;
    }
    function setProgress(value, text) {
      show(progress, true);
      if (value === null) { progressBar.removeAttribute("value"); } else { progressBar.value = value; }
      progressText.textContent = text;
    }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.fetch) {
      errorBox.textContent = msg.msgNocamera;
      show(errorBox, true);
      return;
    }
    startButton.hidden = false;
    startButton.addEventListener("click", start);

    function grab(canvas) {
      var w = video.videoWidth || 640, h = video.videoHeight || 480;
      var scale = Math.min(1, 640 / w);  // 640 px wide is plenty for the check, and small to send
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    }

    function start() {
      if (busy) { return; }
      busy = true;
      show(errorBox, false);
      show(resultBox, false);
      startButton.hidden = true;
      var stream = null;
      navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" }, audio: false
      }).then(function (s) {
        stream = s;
        video.srcObject = s;
        show(camera, true);
        prompt.textContent = msg.msgLook;
        return video.play().catch(function () { return null; });
      }).then(function () {
        return sleep(1200);  // let exposure settle and the person find the frame
      }).then(function () {
        prompt.textContent = msg.msgBlink;
        camera.classList.add("blink");
        var canvas = document.createElement("canvas");
        var shots = [];
        var i = 0;
        return new Promise(function (resolve) {
          function tick() {
            shots.push(grab(canvas));
            i += 1;
            setProgress(Math.round(i / count * 40), msg.msgHold);
            if (i < count) { window.setTimeout(tick, interval); } else { resolve(Promise.all(shots)); }
          }
          tick();
        });
      }).then(function (blobs) {
        camera.classList.remove("blink");
        stream.getTracks().forEach(function (t) { t.stop(); });
        show(camera, false);
        setProgress(50, msg.msgSending);
        var form = new FormData();
        form.append("mode", "camera");
        form.append("csrf_token", csrfToken());
        blobs.forEach(function (blob, n) { if (blob) { form.append("frames", blob, "frame" + n + ".jpg"); } });
        return fetch(step.dataset.uploadUrl, {
          method: "POST", body: form, credentials: "same-origin",
          headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
        });
      }).then(handle).catch(function (err) {
        if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
        var denied = err && (err.name === "NotAllowedError" || err.name === "NotFoundError" ||
                             err.name === "NotReadableError" || err.name === "OverconstrainedError");
        fail(denied ? msg.msgDenied : (err && err.userMessage) || msg.msgFailed);
      });
    }

    function handle(response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var e = new Error("refused");
          e.userMessage = body.message || msg.msgFailed;
          throw e;
        }
        if (!body.done) {
          setProgress(null, msg.msgChecking);
          return sleep(1200).then(function () {
            return fetch(body.poll_url, { credentials: "same-origin", headers: { "Accept": "application/json" } });
          }).then(handle);
        }
        render(body);
      });
    }

    function render(r) {
      show(progress, false);
      busy = false;
      var node = template.content.cloneNode(true);
      function f(name) { return node.querySelector('[data-f="' + name + '"]'); }
      f("box").className = "face-result face-" + r.status;
      f("status_label").textContent = r.status_label;
      f("message").textContent = r.message || "";
      var match = f("match");
      match.textContent = r.match ? match.dataset.yes
        : (r.status === "needs_review" && r.distance !== null) ? match.dataset.maybe
        : (r.match === false ? match.dataset.no : match.dataset.none);
      var live = f("liveness");
      live.textContent = r.liveness ? live.dataset.yes : (r.liveness === false ? live.dataset.no : live.dataset.none);
      var list = f("reasons");
      (r.reasons.length ? r.reasons : [{ message: "—" }]).forEach(function (x) {
        var li = document.createElement("li");
        li.textContent = x.message;
        list.appendChild(li);
      });
      var left = r.attempts ? r.attempts.left : null;
      f("attempts").textContent = left === null ? "" : String(left);
      var counterEl = document.getElementById("attempts-left");
      if (counterEl && left !== null) { counterEl.textContent = String(left); }
      var failed = r.status === "failed" || r.status === "error";
      f("next-passed").hidden = r.status !== "passed";
      f("next_url").href = r.next_url;
      f("next-review").hidden = r.status !== "needs_review";
      var enrol = Boolean(r.enrol_first);  // no portrait yet: the next step is the counter, not a retry
      f("next-enrol").hidden = !enrol;
      f("next-retry").hidden = !(failed && left && !enrol);
      f("next-counter").hidden = !(failed && !left && !enrol);
      f("retry").addEventListener("click", function (event) { event.preventDefault(); start(); });
      resultBox.innerHTML = "";
      resultBox.appendChild(node);
      show(resultBox, true);
      startButton.hidden = true;
      resultBox.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
  }

  // ---------------------------------------------------------------- e-signature pad
  function initSignature(canvas) {
    var form = document.getElementById("esign-form");
    var field = document.getElementById("signature-data");
    var drawBox = document.getElementById("sign-draw");
    var typedBox = document.getElementById("sign-typed");
    var hint = document.getElementById("signature-hint");
    var drawRadio = document.getElementById("method-draw");
    var typedRadio = document.getElementById("method-typed");
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false, last = null;

    function clear() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      field.value = "";
    }
    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return { x: (event.clientX - rect.left) * canvas.width / rect.width,
               y: (event.clientY - rect.top) * canvas.height / rect.height };
    }
    function mode() {
      var draw = drawRadio.checked;
      drawBox.hidden = !draw;
      typedBox.hidden = draw;
    }
    clear();
    ctx.lineWidth = 4;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      last = point(event);
      canvas.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      drawn = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    document.getElementById("signature-clear").addEventListener("click", clear);
    drawRadio.addEventListener("change", mode);
    typedRadio.addEventListener("change", mode);
    drawRadio.checked = true;  // with a script, drawing is the default; without, the typed name
    mode();
    form.addEventListener("submit", function (event) {
      if (drawRadio.checked) {
        if (!drawn) {
          event.preventDefault();
          event.stopPropagation();  // app.js would otherwise lock the form as sent
          hint.textContent = drawBox.dataset.empty;
          hint.className = "error";
          return;
        }
        field.value = canvas.toDataURL("image/png");
      } else {
        field.value = "";
      }
    });
  }

  var step = document.getElementById("face-step");
  if (step && document.getElementById("camera-start")) { initCamera(step); }
  var pad = document.getElementById("signature-pad");
  if (pad) { initSignature(pad); }
})();
