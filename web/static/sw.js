// The service worker (issue 15): the pages a trainer scores from open without network.
//
// Workbox 7.4.1 (npm: workbox-sw, -core, -routing, -strategies, -expiration,
// -cacheable-response), vendored in /static/workbox/: a maintained library for caching
// strategies instead of hand-written fetch handlers. Pages are asked of the network first
// (4 s), and the copy kept when last seen is shown when the network is gone: a gesture page
// reloaded in the basement still opens, with its attempt, and scoring.js keeps its taps
// until they can be sent. Static files come from the cache and are refreshed behind.
// Pages are kept 12 hours at most (a session's length) and dropped at sign-out.
/* global importScripts, workbox */
importScripts("/static/workbox/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "/static/workbox/", debug: false });

var PAGES = "gestes-pages";
var STATIC = "gestes-static";
var OFFLINE = "/static/offline.html";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.add(OFFLINE); }));
  self.skipWaiting();
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("message", function (event) {
  if (event.data === "sign-out") caches.delete(PAGES);
});

workbox.routing.registerRoute(
  function (options) { return options.url.pathname.indexOf("/static/") === 0; },
  new workbox.strategies.StaleWhileRevalidate({ cacheName: STATIC })
);
workbox.routing.registerRoute(
  function (options) {
    return options.request.mode === "navigate" &&
      /^\/(cohorts|trainees)(\/|$)/.test(options.url.pathname);
  },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 4,
    plugins: [
      new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
      new workbox.expiration.ExpirationPlugin({ maxEntries: 80, maxAgeSeconds: 12 * 3600 }),
    ],
  })
);
// A page never seen before, asked for without network: say so, in French, instead of the
// browser's own error page.
workbox.routing.setCatchHandler(function (options) {
  if (options.request.mode === "navigate") return caches.match(OFFLINE);
  return Response.error();
});
