// The attendance sheet (issue 31): a finger's signature on a pad, kept as strokes (vectors,
// 0–1000 × 0–400), and what the device says about each entry — the moment it was made, this
// device's name and a fresh key — written into the form just before the outbox
// (outbox.js) keeps it: the form's own listener runs before the page's.
(function () {
  "use strict";
  var WIDTH = 1000, HEIGHT = 400;

  function deviceName() {
    var name = localStorage.getItem("gestes-device");
    if (!name) {
      name = "tablette-" + Math.random().toString(36).slice(2, 10);
      localStorage.setItem("gestes-device", name);
    }
    return name;
  }
  function freshKey() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function setUp(canvas) {
    var strokes = [], current = null, ink = canvas.getContext("2d");
    ink.lineWidth = 8; ink.lineCap = "round"; ink.lineJoin = "round"; ink.strokeStyle = "#1b1f24";
    function point(event) {
      var box = canvas.getBoundingClientRect();
      var x = Math.round((event.clientX - box.left) / box.width * WIDTH);
      var y = Math.round((event.clientY - box.top) / box.height * HEIGHT);
      return [Math.max(0, Math.min(WIDTH, x)), Math.max(0, Math.min(HEIGHT, y))];
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = point(event);
      strokes.push(current);
      ink.beginPath();
      ink.moveTo(current[0], current[1]);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current) return;
      var p = point(event), n = current.length;
      if (Math.abs(p[0] - current[n - 2]) + Math.abs(p[1] - current[n - 1]) < 4) return;
      if (current.length >= 600) return;  // a stroke's points, bounded as the server bounds them
      current.push(p[0], p[1]);
      ink.lineTo(p[0], p[1]);
      ink.stroke();
    });
    function end() {
      if (current && current.length === 2) current.push(current[0] + 1, current[1]);  // a dot
      current = null;
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    var form = canvas.closest("form");
    form.querySelector("[data-clear]").addEventListener("click", function () {
      strokes.length = 0;
      ink.clearRect(0, 0, WIDTH, HEIGHT);
    });
    return function () { return strokes.slice(0, 100); };
  }

  document.querySelectorAll("form[data-sheet]").forEach(function (form) {
    var canvas = form.querySelector("canvas[data-pad]"), strokesOf = canvas ? setUp(canvas) : null;
    form.addEventListener("submit", function (event) {
      if (strokesOf) {
        var strokes = strokesOf();
        if (!strokes.length) {  // nothing drawn: said beside the pad, nothing sent
          event.preventDefault();
          event.stopPropagation();
          var help = form.querySelector(".muted");
          if (help) { help.className = "error"; help.setAttribute("role", "alert"); }
          canvas.focus();
          return;
        }
        form.querySelector("input[name=strokes]").value = JSON.stringify(strokes);
      }
      form.querySelector("input[name=submit_id]").value = freshKey();
      form.querySelector("input[name=made_at]").value = String(Date.now());
      form.querySelector("input[name=device]").value = deviceName();
    });
  });
})();
