/* Quanke — small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // One click = one submission: disable the buttons of a form once it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () {
      form.querySelectorAll('button[type="submit"], button:not([type])').forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });

  // Resident ID / credit code validated as you type (JSON endpoint, server-side rules).
  function wireIdCheck(input) {
    var out = document.getElementById(input.dataset.status);
    var kindSelect = input.form ? input.form.querySelector('[name="kind"]') : null;
    var timer = null;
    function check() {
      var value = input.value.trim();
      if (!out) { return; }
      if (!value) { out.textContent = ""; out.className = "id-status"; return; }
      var kind = kindSelect ? kindSelect.value : "person";
      var url = input.dataset.validate + "?kind=" + encodeURIComponent(kind) + "&number=" + encodeURIComponent(value);
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          out.textContent = data.message || "";
          out.className = "id-status " + (data.ok ? "ok" : "error");
          input.setAttribute("aria-invalid", data.ok ? "false" : "true");
        })
        .catch(function () { out.textContent = ""; });
    }
    input.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(check, 250); });
    if (kindSelect) { kindSelect.addEventListener("change", check); }
  }
  document.querySelectorAll("input[data-validate]").forEach(wireIdCheck);

  // "Select all" checkboxes for bulk assignment.
  document.querySelectorAll("input[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[name="' + box.dataset.selectAll + '"]').forEach(function (c) { c.checked = box.checked; });
    });
  });

  // Open a page on the counter's second screen (a separate window).
  document.querySelectorAll("a[data-popup]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var w = window.open(link.href, "quanke-second-screen", "width=900,height=640");
      if (w) { event.preventDefault(); w.focus(); }
    });
  });

  // Phone layout: the menu folds away behind its summary (it is open without JavaScript).
  if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
    document.querySelectorAll("details.menu-fold").forEach(function (d) { d.removeAttribute("open"); });
  }

  // Phone layout: every table with column headings reads as cards on a narrow screen
  // (app.css, "table.cards"); each cell gets its column's heading as data-label unless the
  // template gave one. Tables marked data-cards="off" stay tables.
  document.querySelectorAll("table").forEach(function (table) {
    if (table.dataset.cards === "off") { return; }
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) { return; }
    var labels = Array.prototype.map.call(heads, function (th) {
      return (th.dataset.label || th.textContent || "").replace(/\s+/g, " ").trim();
    });
    table.classList.add("cards");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var col = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && labels[col]) {
          cell.setAttribute("data-label", labels[col]);
        }
        // A cell with nothing to show (an action column without actions) takes no line.
        if (!cell.textContent.trim() && !cell.querySelector("input, button, select, a, img, svg")) {
          cell.classList.add("card-empty");
        }
        col += cell.colSpan || 1;
      });
    });
  });

  // Auto-refresh for waiting lists and the queue board.
  var refresh = document.body.dataset.refresh;
  if (refresh) { window.setTimeout(function () { window.location.reload(); }, parseInt(refresh, 10) * 1000); }

  window.quanke = { csrfToken: csrfToken };
})();
