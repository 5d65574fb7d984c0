// Registers the service worker (web/static/sw.js) for signed-in pages, and empties the
// pages it kept when one signs out: a shared tablet keeps nobody's pages.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(function () { /* pages still work */ });
  document.addEventListener("submit", function (event) {
    if (event.target.getAttribute("action") !== "/logout") return;
    if (window.caches) caches.delete("gestes-pages");
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("sign-out");
  });
})();
