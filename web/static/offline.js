// Registers the service worker (web/static/sw.js) for signed-in pages, and empties the
// pages it kept when one signs out: a shared tablet keeps nobody's pages.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(function () { /* pages still work */ });
  // A form sent while the tablet knows it has no network: kept on the page, with what was typed,
  // and said beside its button, rather than a page that cannot arrive. (Forms sent with htmx
  // have their own queue: scoring.js.)
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
  document.addEventListener("submit", function (event) {
    if (event.target.getAttribute("action") !== "/logout") return;
    if (window.caches) caches.delete("gestes-pages");
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("sign-out");
  });
})();
