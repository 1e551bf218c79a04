// Tongxin's one script. The Content-Security-Policy forbids inline scripts and handlers
// (onsubmit=…), so behaviour is declared in data- attributes and wired up here. A page
// that uses one includes this file in its {% block head %}; pages without script stay so.
//
// <form data-confirm="question">: ask before sending; "Cancel" keeps the form unsent.
"use strict";

document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
