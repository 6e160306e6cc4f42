// つながる: grouped pickers. A filter box hides the choices that do not
// match (全角/半角 and カタカナ/ひらがな alike), and 「まとめて選ぶ」 ticks a whole
// group (the members of one agency). Progressive enhancement: without this
// script every checkbox still works.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKC").toLowerCase().replace(/\s+/g, "").replace(/[\u30a1-\u30f6]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0x60);
    });
  }

  function setUp(picker) {
    var filter = picker.querySelector("[data-picker-filter]");
    var none = picker.querySelector("[data-picker-none]");
    var groups = picker.querySelectorAll("[data-picker-group]");
    if (filter) {
      filter.addEventListener("input", function () {
        var q = fold(filter.value);
        var shown = 0;
        groups.forEach(function (group) {
          var inGroup = 0;
          var title = fold(group.querySelector("legend").textContent);
          group.querySelectorAll("[data-picker-item]").forEach(function (item) {
            var match = q === "" || fold(item.textContent).indexOf(q) >= 0 || title.indexOf(q) >= 0;
            item.hidden = !match;
            if (match) { inGroup += 1; }
          });
          group.hidden = inGroup === 0;
          shown += inGroup;
        });
        if (none) { none.hidden = shown > 0; }
      });
    }
    groups.forEach(function (group) {
      var all = group.querySelector("[data-picker-all]");
      if (!all) { return; }
      var boxes = group.querySelectorAll("[data-picker-item] input[type=checkbox]");
      all.addEventListener("change", function () {
        boxes.forEach(function (box) {
          // The same person under another agency follows too.
          picker.querySelectorAll("input[name='" + box.name + "'][value='" + box.value + "']").forEach(function (twin) {
            twin.checked = all.checked;
          });
        });
      });
    });
    // A person listed under two agencies is one choice: keep the twins in step,
    // and send each value once.
    picker.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.matches("[data-picker-item] input[type=checkbox]")) { return; }
      picker.querySelectorAll("input[name='" + box.name + "'][value='" + box.value + "']").forEach(function (twin) {
        twin.checked = box.checked;
      });
    });
  }

  document.querySelectorAll("[data-picker]").forEach(setUp);
})();
