// A creating form (one with a one-time "form_token", core/idempotency.py) is sent once: after the first
// click its submit buttons are disabled until the answer comes. A convenience only; the server is the
// guarantee (a second POST of the same token is shown the first one's result). No inline code: strict CSP.
(function () {
  function buttons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }
  function setBusy(form, busy) {
    buttons(form).forEach(function (button) { button.disabled = busy; });
    if (busy) { form.setAttribute("aria-busy", "true"); } else { form.removeAttribute("aria-busy"); }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector("input[name=form_token]")) { return; }
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // After this turn, so the clicked button's own name and value still go with the form.
    window.setTimeout(function () { setBusy(form, true); }, 0);
  });
  // htmx forms stay on the page: usable again once the answer is in (a swap usually replaces them anyway).
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail && event.detail.elt;
    if (form instanceof HTMLFormElement && form.dataset.sent === "1") {
      delete form.dataset.sent;
      setBusy(form, false);
    }
  });
  // Back to a page from the browser's cache: its forms can be sent again (with the same token: the server
  // then shows what the first submit did).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-sent]").forEach(function (form) {
      delete form.dataset.sent;
      setBusy(form, false);
    });
  });
})();
