// On every page: a form sent while the device knows it has no network is kept on the page,
// with what was typed, and says beside its button that nothing was sent — rather than a page
// that cannot arrive (a tutor's phone in a basement too). Forms sent with htmx have their own
// queue (scoring.js), and so have the forms of entries (a comment, a tutor's hours: outbox.js).
// Then, where the browser has service workers (https or localhost), it
// registers web/static/sw.js, and empties the pages it kept when one signs out: a shared
// tablet keeps nobody's pages.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (navigator.onLine || form.hasAttribute("hx-post") || form.dataset.outbox || form.getAttribute("action") === "/logout") return;
    event.preventDefault();
    var note = form.querySelector(".not-sent") || document.createElement("p");
    note.className = "not-sent error";
    note.setAttribute("role", "alert");
    note.textContent = document.body.dataset.unsent || "Pas de réseau : rien n'est envoyé.";
    form.appendChild(note);
  });

  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(function () { /* pages still work */ });
  document.addEventListener("submit", function (event) {
    if (event.target.getAttribute("action") !== "/logout") return;
    if (window.caches) caches.delete("gestes-pages");
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("sign-out");
  });
})();
