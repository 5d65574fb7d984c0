// The service worker (issue 15): the pages a trainer scores from open without network.
//
// Workbox 7.4.1 (npm: workbox-sw, -core, -routing, -strategies, -expiration, -background-sync,
// -cacheable-response), vendored in /static/workbox/: a maintained library for caching
// strategies instead of hand-written fetch handlers. Pages are asked of the network first
// (4 s), and the copy kept when last seen is shown when the network is gone: a gesture page
// reloaded in the basement still opens, with its attempt, and scoring.js keeps its taps
// until they can be sent. Static files come from the cache and are refreshed behind.
// Pages are kept 12 hours at most (a session's length) and dropped at sign-out.
//
// A courier for a closed page (workbox-background-sync): when a page holding waiting taps is
// hidden or closed (the tablet put to sleep, the tab closed), scoring.js hands this worker a
// copy of its queue, as the requests it would send. The browser wakes the worker when the
// network is back (the Background Sync API), even with no page of Gestes open, and the
// requests go in order. scoring.js's own queue stays the one the trainer sees: every request
// carries its idempotency keys, so what the courier delivered is stored once when the page
// sends it again. The courier never decides anything: the first answer that is not a success
// (a session ended, a tap refused, a server error) empties it, and the page, once open,
// shows why. Its requests carry the session's CSRF token, so no other account's session can
// send them.
/* global importScripts, workbox */
importScripts("/static/workbox/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "/static/workbox/", debug: false });

var PAGES = "gestes-pages";
var STATIC = "gestes-static";
var OFFLINE = "/static/offline.html";
var NOT_SENT = "/static/not-sent.html";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll([OFFLINE, NOT_SENT]); }));
  self.skipWaiting();
});
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

var courier = new workbox.backgroundSync.Queue("gestes-waiting-taps", {
  maxRetentionTime: 12 * 60,  // minutes: a session's length, after which it would be refused
  onSync: deliver,
});

function deliver(options) {
  var queue = options.queue;
  return queue.shiftRequest().then(function (entry) {
    if (!entry) return undefined;
    return fetch(entry.request.clone()).then(function (response) {
      if (!response.ok) return empty();  // the page will say why, and send the rest itself
      return deliver(options);
    }, function (error) {
      // Still no network: put it back at the head; the browser will wake us again.
      return queue.unshiftRequest(entry).then(function () { throw error; });
    });
  });
}

function empty() {
  return courier.shiftRequest().then(function (entry) { return entry ? empty() : undefined; });
}

// The page's queue, as requests in order; replaces what the courier held (a newer copy).
function hold(requests) {
  return empty().then(function () {
    return requests.reduce(function (chain, r) {
      return chain.then(function () {
        return courier.pushRequest({ request: new Request(r.url, {
          method: "POST", headers: r.headers, body: r.body, credentials: "same-origin",
        }) });
      });
    }, Promise.resolve());
  });
}

// One change to the courier at a time, in the order the pages asked.
var changes = Promise.resolve();
function inTurn(change) {
  changes = changes.then(change, change);
  return changes;
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data === "sign-out") {
    caches.delete(PAGES);
    event.waitUntil(inTurn(empty));
  } else if (data.type === "hold") {
    event.waitUntil(inTurn(function () { return hold(data.requests); }));
  } else if (data.type === "page-open") {
    event.waitUntil(inTurn(empty));  // a page sends them itself now
  }
});

workbox.routing.registerRoute(
  function (options) { return options.url.pathname.indexOf("/static/") === 0; },
  new workbox.strategies.StaleWhileRevalidate({ cacheName: STATIC })
);
workbox.routing.registerRoute(
  function (options) {
    return options.request.mode === "navigate" &&
      /^\/(cohorts|trainees|en-attente)(\/|$)/.test(options.url.pathname);
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
// A trainee's, a tutor's and a partner's pages (opened with a code, on a phone): always from the network
// (they hold what only the school may keep), and without network the French page below rather
// than the browser's own, on the first visit too.
workbox.routing.registerRoute(
  function (options) {
    return options.request.mode === "navigate" && /^\/(moi|tuteur|avis)(\/|$)/.test(options.url.pathname);
  },
  new workbox.strategies.NetworkOnly()
);
// A form posted as a page (a comment, a level decision, a photo) straight to the network; if
// it fails, the page below says nothing was sent, instead of the browser's own error page.
workbox.routing.registerRoute(
  function (options) { return options.request.mode === "navigate"; },
  new workbox.strategies.NetworkOnly(),
  "POST"
);
// A page never seen before, asked for without network: say so, in French, instead of the
// browser's own error page.
workbox.routing.setCatchHandler(function (options) {
  if (options.request.mode !== "navigate") return Response.error();
  return caches.match(options.request.method === "POST" ? NOT_SENT : OFFLINE);
});
