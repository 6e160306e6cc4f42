// つながる: forms that come back with errors. The error summary at the top
// takes the focus (screen readers read it first), each of its links moves the
// focus to its field, and every field with an error is marked invalid.
// Progressive enhancement: without this script the links still scroll.
(function () {
  "use strict";

  function fieldOf(name) {
    var byId = document.getElementById(name);
    if (byId && !byId.matches("p, div, ul, li, span")) { return byId; }
    var byName = document.getElementsByName(name);
    if (byName.length > 0) { return byName[0]; }
    // A group (相談内容 …): the first control of the fieldset that names it.
    if (byId) { return byId.querySelector("input, select, textarea") || byId; }
    return null;
  }

  document.querySelectorAll(".field-error").forEach(function (error, i) {
    var box = error.closest(".field, fieldset, td");
    if (!box) { return; }
    if (!error.id) { error.id = "field-error-" + (i + 1); }
    box.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (control) {
      control.setAttribute("aria-invalid", "true");
      var described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", described ? described + " " + error.id : error.id);
    });
  });

  var summary = document.querySelector(".error-summary");
  if (!summary) { return; }
  summary.querySelectorAll("a[data-field]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var control = fieldOf(link.getAttribute("data-field"));
      if (!control) { return; }
      event.preventDefault();
      var details = control.closest("details");
      if (details) { details.open = true; }
      control.scrollIntoView({ block: "center" });
      control.focus();
    });
  });
  summary.focus();
})();
