// Applications: small progressive enhancements (the pages work without JavaScript).
(function () {
  "use strict";
  // Double-click safety on the client too: a submit button marked data-once is disabled
  // after the first submit of its form (the server refuses the second transition anyway).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var confirmButton = event.submitter && event.submitter.getAttribute("data-confirm");
    if (confirmButton && !window.confirm(confirmButton)) { event.preventDefault(); return; }
    window.setTimeout(function () {
      form.querySelectorAll("button[data-once]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
    }, 0);
  });
  // Tell the citizen about an oversized file before uploading it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var file = input.files && input.files[0];
    if (max && file && file.size > max) {
      input.setCustomValidity("Berkas melebihi batas ukuran.");
      input.reportValidity();
    } else {
      input.setCustomValidity("");
    }
  });
  // Move focus to the error summary so screen-reader users hear what is wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus]");
    if (summary) summary.focus();
  });
})();
