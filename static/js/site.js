// The site's only script, loaded from a file so that the Content-Security-Policy can forbid
// inline script. Pages work without it: it only moves focus where a keyboard or screen-reader
// user needs it.
(function () {
  "use strict";

  // After a form comes back with errors, start at the error summary (WCAG 3.3.1), as the
  // GOV.UK Design System does; its links then move focus to the field itself, not only scroll.
  var summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });
})();
