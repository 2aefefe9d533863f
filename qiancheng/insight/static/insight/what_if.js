// The what-if replay runs in the request (docs/what-if.md): while the page waits, the progress line under the
// replay form says what is happening. <form data-progress="ID"> shows the element ID (hidden until then) and
// disables the button so a replay is asked once. Without JavaScript the form works the same, silently.
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
