/* Portal behaviour, progressive only: every form also works without JavaScript. */
(function () {
  "use strict";
  // On phones the filter panel starts folded unless a filter is in use.
  var filters = document.querySelector(".filter-card");
  if (filters && window.matchMedia("(max-width: 899px)").matches && !window.location.search) {
    filters.removeAttribute("open");
  }
})();

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

/* No inline handlers (Content-Security-Policy: script-src 'self'):
   data-confirm="…" on a form or a submit button asks before submitting;
   data-autosubmit on a select submits its form when changed (language switch). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-confirm], input[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();

/* The phone menu button (base.html): without JavaScript it is a link to #site-nav,
   which CSS opens with :target; here it becomes a real toggle button. */
(function () {
  "use strict";
  var toggle = document.querySelector("[data-nav-toggle]");
  var nav = document.getElementById("site-nav");
  if (!toggle || !nav) { return; }
  toggle.setAttribute("role", "button");
  toggle.setAttribute("aria-expanded", "false");
  function setOpen(open) {
    nav.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    setOpen(toggle.getAttribute("aria-expanded") !== "true");
  });
  toggle.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); setOpen(toggle.getAttribute("aria-expanded") !== "true"); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();

/* A field shown only for one choice of a radio group: data-show-when="name=value" on its
   wrapper (the authorization form's bank list appears only when a bank is the grantee).
   Hidden fields are disabled, so nothing hidden is sent. Without JavaScript every field shows. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-show-when]"), function (box) {
    var rule = box.getAttribute("data-show-when").split("=");
    var radios = Array.prototype.slice.call(document.querySelectorAll('input[type="radio"][name="' + rule[0] + '"]'));
    if (!radios.length) { return; }
    function refresh() {
      var show = radios.some(function (radio) { return radio.checked && radio.value === rule[1]; });
      box.hidden = !show;
      Array.prototype.forEach.call(box.querySelectorAll("select, input, textarea"), function (field) {
        field.disabled = !show;
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", refresh); });
    refresh();
  });
})();
