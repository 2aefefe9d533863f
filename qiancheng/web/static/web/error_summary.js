// The error summary of a form that failed (web/_error_summary.html): focus moves to it when the page opens, so a
// screen reader reads the problems first; a link in it moves the focus to its field, not only the scroll.
// No inline script anywhere: the Content-Security-Policy allows only our own files.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.querySelectorAll("a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  });
})();
