// Tongxin's one script, loaded by base.html on every page. The Content-Security-Policy
// forbids inline scripts and handlers (onsubmit=…), so behaviour is declared in data-
// attributes and wired up here. A page that still includes it in its {% block head %} loads
// it twice: the second copy does nothing.
//
// <form data-confirm="question">: ask before sending; "Cancel" keeps the form unsent.
// A form sent back with errors: the first invalid field (aria-invalid="true", set by the
// form macros; else the first field of a .has-error block) takes the focus, so a person on
// a keyboard or a screen reader lands on what to fix — its error is read with it
// (aria-describedby).
// A table too wide for the screen scrolls sideways in its box (.tablewrap and the like): the
// box then takes the keyboard focus too (tabindex=0), so arrow keys scroll it without a mouse.
"use strict";

(function () {
  if (window.tongxinLoaded) { return; }
  window.tongxinLoaded = true;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  var FIELDS = "input:not([type=hidden]), select, textarea";

  function firstInvalidField() {
    var marked = document.querySelector("main [aria-invalid=true]");
    if (marked) { return marked; }
    var block = document.querySelector("main .has-error");
    return block ? block.querySelector(FIELDS) : null;
  }

  function focusFirstInvalid() {
    var field = firstInvalidField();
    if (field && !field.disabled) {
      field.focus();
    }
  }

  var SCROLLERS = ".tablewrap, .bpic-entrance, .outbox-wrap";
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function scrollersTakeFocus() {
    var boxes = document.querySelectorAll(SCROLLERS);
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex") && !box.querySelector(FOCUSABLE)) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    }
  }

  function ready() {
    scrollersTakeFocus();
    focusFirstInvalid();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  window.addEventListener("resize", scrollersTakeFocus);
})();
