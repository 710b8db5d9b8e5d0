/*
 * Progressive enhancement only: every page works without this file.
 * <form data-confirm="Delete this business?"> asks before submitting.
 */
(function () {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
