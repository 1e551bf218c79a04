// Tongxin's one script, loaded by base.html on every page. The Content-Security-Policy
// forbids inline scripts and handlers (onsubmit=…), so behaviour is declared in data-
// attributes and wired up here. A page that still includes it in its {% block head %} loads
// it twice: the second copy does nothing.
//
// <form data-confirm="question">: ask before sending; "Cancel" keeps the form unsent.
// A form sent back with errors: the first invalid field (aria-invalid="true", set by the
// form macros; else the first field of a .has-error block) takes the focus, so a person on
// a keyboard or a screen reader lands on what to fix — its error is read with it
// (aria-describedby). Unless the person has already started typing (a slow page):
// their focus stays where they put it.
// <input type="file" data-max-bytes data-max-total>: a file over the limit, or files over
// the request's limit together, are refused before sending (the server would answer 413 and
// everything typed in the form would be lost); the message (data-too-big / data-too-much,
// already in the reader's language) stands under the control, which takes the focus.
// A table too wide for the screen scrolls sideways in its box (.tablewrap and the like): the
// box then takes the keyboard focus too (tabindex=0), so arrow keys scroll it without a mouse.
"use strict";

(function () {
  if (window.tongxinLoaded) { return; }
  window.tongxinLoaded = true;

  function mb(bytes) {
    return String(Math.floor(bytes / 1048576));
  }

  function filesProblem(input) {
    var each = Number(input.getAttribute("data-max-bytes") || 0);
    var total = Number(input.getAttribute("data-max-total") || 0);
    var sum = 0;
    for (var i = 0; i < (input.files || []).length; i++) {
      var file = input.files[i];
      sum += file.size;
      if (each && file.size > each) {
        return (input.getAttribute("data-too-big") || "").replace("{name}", file.name)
          .replace("{mb}", mb(each));
      }
    }
    if (total && sum > total) {
      return (input.getAttribute("data-too-much") || "").replace("{mb}", mb(total));
    }
    return "";
  }

  function showFilesProblem(input, message) {
    var id = input.id + "-client-error";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "error";
      box.setAttribute("role", "alert");
      input.parentNode.appendChild(box);
      input.setAttribute("aria-describedby",
        ((input.getAttribute("aria-describedby") || "") + " " + id).trim());
    }
    box.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i++) {
      var problem = filesProblem(inputs[i]);
      if (problem) {
        event.preventDefault();
        showFilesProblem(inputs[i], problem);
        return;
      }
    }
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

  // On a slow connection the page shows (and takes typing) before this script runs: a
  // person already typing must keep their field, or the rest of what they type lands in
  // the invalid one (a password typed into "password again").
  function personHasStarted() {
    var active = document.activeElement;
    if (active && active.matches && active.matches(FIELDS) && !active.hasAttribute("autofocus")) {
      return true;
    }
    var fields = document.querySelectorAll("main " + FIELDS);
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      var changed = (f.type === "checkbox" || f.type === "radio")
        ? f.checked !== f.defaultChecked
        : ("defaultValue" in f && f.value !== f.defaultValue);
      if (changed) { return true; }
    }
    return false;
  }

  function focusFirstInvalid() {
    if (personHasStarted()) { return; }
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
