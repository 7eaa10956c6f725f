// Live countdowns: <time datetime="ISO" data-countdown> gets "in 12:34" / "8:02 overdue" appended every second.
// Without JavaScript the absolute time stays readable.
(function () {
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function fmt(ms) {
    var s = Math.floor(Math.abs(ms) / 1000), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var left = due - Date.now(), out = el.nextElementSibling;
      if (!out || !out.classList.contains("countdown")) {
        out = document.createElement("span");
        out.className = "countdown";
        out.setAttribute("aria-hidden", "true");
        el.after(out);
      }
      var lang = document.documentElement.lang;
      out.textContent = left >= 0 ? (lang === "pl" ? " (za " : " (in ") + fmt(left) + ")"
                                  : " (" + fmt(left) + (lang === "pl" ? " po terminie)" : " overdue)");
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSwap", tick);
})();
