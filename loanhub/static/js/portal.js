/* Portal behaviour, progressive only: every form also works without JavaScript. */
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".compare-box"));
  var status = form.querySelector("[data-compare-status]");
  var limit = 3;
  var text = {
    "zh-hans": { picked: "已选 {n} 款", full: "最多可同时对比 3 款产品" },
    en: { picked: "{n} selected", full: "You can compare at most 3 products" }
  };
  var lang = (document.documentElement.lang || "zh-hans").toLowerCase();
  var t = text[lang] || text["zh-hans"];

  function checked() { return boxes.filter(function (b) { return b.checked; }); }
  function refresh(message) {
    if (status) { status.textContent = message || (checked().length ? t.picked.replace("{n}", checked().length) : ""); }
  }
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      if (box.checked && checked().length > limit) {
        box.checked = false;
        refresh(t.full);
        return;
      }
      refresh();
    });
  });
})();
