// A "Print" button: <button type="button" data-print hidden>. Without JavaScript it stays hidden (the
// browser's own print command uses the print stylesheet in app.css); no inline handler, for a strict CSP.
(function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
