// The gesture page's stopwatch (issue 15): started and stopped by the trainer, it fills the
// attempt's duration. Its start is kept in this browser by the attempt's key, so a reload, a
// tablet gone to sleep or a lost network never resets it; past the gesture's time limit it
// says so, since the attempt will then fail. Words come from the page (data-*).
(function () {
  "use strict";
  var box = document.getElementById("chrono");
  if (!box) return;
  var key = "gestes-chrono-" + box.dataset.attempt;
  var button = document.getElementById("chrono-bouton");
  var shown = document.getElementById("chrono-temps");
  var minutes = document.getElementById("minutes");
  var limit = Number(box.dataset.limit) || 0;

  function started() { return Number(localStorage.getItem(key) || 0); }
  function clock(seconds) {
    var s = Math.floor(seconds % 60);
    return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
  }
  function render() {
    var start = started();
    var seconds = start ? (Date.now() - start) / 1000 : 0;
    shown.textContent = clock(seconds);
    button.textContent = start ? box.dataset.stop : box.dataset.start;
    button.setAttribute("aria-pressed", start ? "true" : "false");
    var over = limit && seconds > limit;
    box.classList.toggle("over", Boolean(over));
    document.getElementById("chrono-depasse").hidden = !over;
  }
  button.addEventListener("click", function () {
    var start = started();
    if (start) {
      var tenths = Math.round((Date.now() - start) / 6000) / 10;  // minutes, one decimal
      minutes.value = String(tenths).replace(".", box.dataset.decimal || ",");
      localStorage.removeItem(key);
    } else {
      localStorage.setItem(key, String(Date.now()));
    }
    render();
  });
  render();
  setInterval(function () { if (started()) render(); }, 1000);
})();
