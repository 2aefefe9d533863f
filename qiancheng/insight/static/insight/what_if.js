// The what-if replay runs on the task queue (docs/what-if.md): submitting the form only queues it, and the
// replay's own page then shows its progress. <form data-progress="ID"> shows the element ID (hidden until then)
// and disables the button so a replay is asked once. Without JavaScript the form works the same, silently.
(function () {
  "use strict";
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var line = document.getElementById(form.dataset.progress);
      if (line) { line.hidden = false; }
      form.querySelectorAll("[type=submit]").forEach(function (button) { button.disabled = true; });
    });
  });
}());
