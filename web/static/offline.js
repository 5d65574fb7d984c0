// On every page: a form sent while the device knows it has no network is kept on the page,
// with what was typed, and says beside its button that nothing was sent — rather than a page
// that cannot arrive (a tutor's phone in a basement too). Forms sent with htmx have their own
// queue (scoring.js). Then, where the browser has service workers (https or localhost), it
// registers web/static/sw.js, and empties the pages it kept when one signs out: a shared
// tablet keeps nobody's pages.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (navigator.onLine || form.hasAttribute("hx-post") || form.getAttribute("action") === "/logout") return;
    event.preventDefault();
    var note = form.querySelector(".not-sent") || document.createElement("p");
    note.className = "not-sent error";
    note.setAttribute("role", "alert");
    note.textContent = document.body.dataset.unsent || "Pas de réseau : rien n'est envoyé.";
    form.appendChild(note);
  });

  // A form with an idempotency key (submit_id) is noted for this tab as it leaves. If its
  // answer was lost (« Envoi incertain », the service worker's page), the trainer comes back
  // to it: the page asks the server whether it arrived (by its key), says so beside the form,
  // and keeps the same key, so that sending it again never stores it twice.
  var SENT = "gestes-sent:";
  document.addEventListener("submit", function (event) {
    var form = event.target, key = form.querySelector("input[name=submit_id]");
    if (!key || event.defaultPrevented) return;
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") fields.push([name, value]);
    });
    sessionStorage.setItem(SENT + form.getAttribute("action"),
      JSON.stringify({ key: key.value, fields: fields }));
  });
  window.addEventListener("pageshow", function (event) {
    var entry = performance.getEntriesByType("navigation")[0];
    var back = event.persisted || (entry && entry.type === "back_forward");
    document.querySelectorAll("form").forEach(function (form) {
      var key = form.querySelector("input[name=submit_id]");
      var name = SENT + form.getAttribute("action"), kept = key && sessionStorage.getItem(name);
      if (!kept) return;
      if (!back) { sessionStorage.removeItem(name); return; }  // reached anew: that send is over
      var sent = JSON.parse(kept), seen = {};
      key.value = sent.key;
      sent.fields.forEach(function (pair) {  // what was typed, as it was sent
        var n = seen[pair[0]] || 0, input = form.querySelectorAll('[name="' + pair[0] + '"]')[n];
        seen[pair[0]] = n + 1;
        if (input && input.type !== "hidden" && input.type !== "checkbox" && input.type !== "radio") input.value = pair[1];
      });
      var note = form.querySelector(".uncertain") || document.createElement("p");
      note.className = "uncertain";
      note.setAttribute("role", "status");
      note.textContent = document.body.dataset.checking;
      form.appendChild(note);
      fetch("/api/submitted/" + encodeURIComponent(sent.key), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer && answer.stored) sessionStorage.removeItem(name);
          note.textContent = document.body.dataset[answer ? (answer.stored ? "arrived" : "notArrived") : "unknown"];
        }, function () { note.textContent = document.body.dataset.unknown; });
    });
  });

  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(function () { /* pages still work */ });
  document.addEventListener("submit", function (event) {
    if (event.target.getAttribute("action") !== "/logout") return;
    if (window.caches) caches.delete("gestes-pages");
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("sign-out");
  });
})();
