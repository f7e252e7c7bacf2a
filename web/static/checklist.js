/* Quanke — a multiple choice (经营范围, roles) as a searchable list of checkboxes instead of a
   Ctrl-click <select multiple>. Progressive enhancement: the <select> stays in the form (hidden)
   and is what is posted; without JavaScript the plain select still works. */
(function () {
  "use strict";
  var n = 0;
  var en = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  function enhance(select) {
    if (select.dataset.checklist === "off" || select.dataset.checklistDone) { return; }
    select.dataset.checklistDone = "1";
    n += 1;
    var box = document.createElement("div");
    box.className = "checklist";
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var title = label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : "";
    var search = document.createElement("input");
    search.type = "search";
    search.className = "checklist-search";
    search.placeholder = en ? "Type to filter" : "输入关键字筛选";
    search.setAttribute("aria-label", (en ? "Filter " : "筛选") + title);
    var count = document.createElement("span");
    count.className = "checklist-count small muted";
    count.setAttribute("aria-live", "polite");
    var list = document.createElement("div");
    list.className = "checklist-items";
    list.setAttribute("role", "group");
    if (title) { list.setAttribute("aria-label", title); }
    function update() {
      var chosen = Array.prototype.filter.call(select.options, function (o) { return o.selected; }).length;
      count.textContent = en ? chosen + " chosen" : "已选 " + chosen + " 项";
    }
    Array.prototype.forEach.call(select.options, function (option, i) {
      if (!option.value) { return; }
      var row = document.createElement("label");
      row.className = "checklist-item";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.id = "cl-" + n + "-" + i;
      input.checked = option.selected;
      input.addEventListener("change", function () { option.selected = input.checked; update(); });
      row.appendChild(input);
      row.appendChild(document.createTextNode(" " + option.textContent));
      list.appendChild(row);
    });
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      list.querySelectorAll(".checklist-item").forEach(function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    box.appendChild(search);
    box.appendChild(count);
    box.appendChild(list);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(box, select.nextSibling);
    if (label) { label.setAttribute("for", search.id = "cl-search-" + n); }
    update();
  }
  document.querySelectorAll("select[multiple]").forEach(enhance);
})();
