// Live countdowns: <time datetime="ISO" data-countdown> gets "(in 12 minutes)" / "(3 minutes ago)" appended,
// in the page's language (<html lang>) by Intl.RelativeTimeFormat: no words are written here.
// Without JavaScript the absolute time stays readable.
(function () {
  var format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, { numeric: "always" });
  function relative(ms) {
    // whole units toward zero: "in 14 minutes" until 14:00 is left; hours from 2 hours, days from 2 days
    var s = Math.trunc(ms / 1000), abs = Math.abs(s);
    var unit = abs >= 172800 ? ["day", 86400] : abs >= 7200 ? ["hour", 3600] : abs >= 60 ? ["minute", 60] : ["second", 1];
    return format.format(Math.trunc(s / unit[1]) || 0, unit[0]);
  }
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var out = el.nextElementSibling;
      if (!out || !out.classList.contains("countdown")) {
        out = document.createElement("span");
        out.className = "countdown";
        out.setAttribute("aria-hidden", "true");
        el.after(out);
      }
      out.textContent = " (" + relative(due - Date.now()) + ")";
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
