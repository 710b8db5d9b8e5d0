/*
 * Progressive enhancement only: every page works without this file.
 * <form data-confirm="Delete this business?"> asks before submitting; once answered yes,
 * it tells the server so (confirmed=yes), which otherwise shows its own confirmation page.
 */
(function () {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const message = form.getAttribute("data-confirm");
    if (!message) return;
    if (!window.confirm(message)) {
      event.preventDefault();
      return;
    }
    if (!form.querySelector('input[name="confirmed"]')) {
      const confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirmed";
      confirmed.value = "yes";
      form.appendChild(confirmed);
    }
  });
})();
