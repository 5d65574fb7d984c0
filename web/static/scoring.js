// Taps that could not reach the server are never silently gone (issue 15).
//
// The gesture page sends each tap with htmx. When the network fails (the training floor's
// Wi-Fi) or the server answers 5xx, the tap is kept in this browser (localStorage, under the
// signed-in account: a tablet passed to a colleague never sends one trainer's taps as the
// other's), its step shows « en attente d'envoi », a banner counts what waits, and "Valider"
// waits too. Every few seconds, and as soon as the browser is back online, waiting taps are
// sent again, from whichever page of Gestes is open (a trainer who moved on to the next
// trainee still has the last one's taps sent, and a banner on every page says what waits),
// together in one request when several of an attempt wait (``/steps/batch``): a tap carries
// its own idempotency key (attempt, step, tap number, result), so one sent twice is stored
// once. A tap the server refuses (4xx) says so on its step, or in the banner elsewhere. A 401
// (the session expired) is not a refusal: the taps wait for the trainer to sign in again.
// "Valider" pressed while taps wait, or without network, waits in the same queue, after them,
// and goes last (its key, "<attempt>:final", stores it once); the page then shows the outcome.
// A practical evaluation (its twelve splice losses typed beside the splicer) waits the same
// way, under its page: its key (submit_id) stores it once; the page reopened offline shows it
// filled in as it waits; refused when it finally goes, its values and the reasons come back.
//
// Why localStorage and not IndexedDB: "Valider" must know at once, inside htmx's confirm
// event, whether taps wait (IndexedDB only answers later); the queue is small (≈ 300 bytes a
// tap) and shared by every tab of the site. A closed page cannot send: when a page holding
// waiting taps is hidden or closed, it hands the service worker a copy of them as requests
// (sw.js, its courier: Background Sync sends them when the network is back, no page open);
// this queue stays the one shown, and what the courier delivered is stored once when the
// page sends it again (the idempotency keys).
(function () {
  "use strict";
  var account = document.body.dataset.user;
  if (!account) return;  // signed-in pages only
  var STORE = "gestes-waiting-taps:" + account, REFUSED = STORE + ":refused";
  var page = document.getElementById("etapes");  // the gesture page, or null elsewhere
  var BATCH = 200;  // the server's limit per request (web/pages/scoring.py MAX_QUEUED)
  // This page, among the tabs and reloads of this tablet: an entry it is sending right now is
  // marked with it, so that the queue does not send it a second time meanwhile; a page
  // reloaded or closed mid-request leaves its mark behind, and the queue sends the entry.
  var PAGE = Math.random().toString(36).slice(2);
  var IN_FLIGHT_MS = 20000;  // an htmx request of this page not answered by then is lost

  // Every tap says when and where it was made: the moment on this tablet's clock, the tablet
  // (a random id kept in this browser) and its own count of taps. The server keeps the one
  // made last as the step's value, whatever order the network delivers them in.
  function device() {
    var id = localStorage.getItem("gestes-device");
    if (!id) {
      var bytes = new Uint8Array(9);
      crypto.getRandomValues(bytes);
      id = Array.from(bytes, function (b) { return (b % 36).toString(36); }).join("");
      localStorage.setItem("gestes-device", id);
    }
    return id;
  }
  function nextSeq() {  // synchronous: two taps in a row never share a count
    var n = Number(localStorage.getItem("gestes-device-seq") || "0") + 1;
    localStorage.setItem("gestes-device-seq", String(n));
    return n;
  }

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function waiting() { return read(STORE); }
  function save(list) { localStorage.setItem(STORE, JSON.stringify(list)); }
  function attemptOf(body) {
    for (var i = 0; i < body.length; i++) if (body[i][0] === "attempt") return body[i][1];
    return "";
  }
  function here() {  // what this page holds: its attempt, or its evaluation
    if (document.getElementById("epreuve")) return "evaluation:" + location.pathname;
    var field = page && document.querySelector("#etapes input[name=attempt]");
    return field ? field.value : "";
  }
  // The words come from the page (data-* on the banners), so they follow its language.
  function words(id, name, fallback) {
    var banner = document.getElementById(id);
    return (banner && banner.dataset[name]) || fallback;
  }
  function mine() { return waiting().filter(function (t) { return t.attempt === here(); }); }
  function sendingNow(t) { return t.inflight === PAGE && Date.now() - t.since < IN_FLIGHT_MS; }
  function stillWaiting(list) { return list.filter(function (t) { return !sendingNow(t); }); }
  function csrf() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }
  function gesturePage(tap) {  // ".../gestures/<id>/steps" or ".../attempts" → the page
    if (tap.kind === "evaluation") return tap.path;  // an evaluation posts to its own page
    return tap.path.replace(/\/(steps|attempts)$/, "") + "?attempt=" + encodeURIComponent(tap.attempt);
  }

  function showElsewhere() {
    var banner = document.getElementById("en-attente-ailleurs");
    if (!banner) return;
    // On « En attente sur cette tablette » itself, the list says it all: only refusals here.
    var listed = !!document.getElementById("sur-cette-tablette");
    var others = listed ? [] : stillWaiting(waiting()).filter(function (t) { return t.attempt !== here(); });
    var refusedOnes = read(REFUSED);
    banner.hidden = !others.length && !refusedOnes.length;
    var text = banner.querySelector("span");
    text.textContent = others.length
      ? words("en-attente-ailleurs", others.length === 1 ? "one" : "many", "{n}").replace("{n}", String(others.length))
      : "";
    var link = banner.querySelector("a");
    link.hidden = !others.length;
    // One attempt waits: its own page. Several: the page that lists them all.
    var attempts = others.map(function (t) { return t.attempt; }).filter(function (a, i, all) { return all.indexOf(a) === i; });
    if (others.length) link.href = attempts.length === 1 ? gesturePage(others[0]) : "/en-attente";
    var list = banner.querySelector("ul");
    list.textContent = "";
    refusedOnes.forEach(function (r) {
      var item = document.createElement("li");
      var to = document.createElement("a");
      to.href = r.page;
      to.textContent = words("en-attente-ailleurs", "refused", "Saisie refusée :") + " " + r.message;
      item.appendChild(to);
      list.appendChild(item);
    });
    banner.querySelector("button").hidden = !refusedOnes.length;
  }

  // « En attente sur cette tablette »: every waiting entry, by attempt, with a link to its
  // own page, and every refusal not yet seen.
  function showAll() {
    var section = document.getElementById("sur-cette-tablette");
    if (!section) return;
    var list = section.querySelector("ul"), groups = [], by = {};
    waiting().forEach(function (t) {
      if (!by[t.attempt]) { by[t.attempt] = { first: t, taps: 0, validate: false, evaluation: false, sending: false }; groups.push(by[t.attempt]); }
      var group = by[t.attempt];
      if (t.kind === "tap") group.taps += 1;
      if (t.kind === "validate") group.validate = true;
      if (t.kind === "evaluation") group.evaluation = true;
      if (t.inflight) group.sending = true;
    });
    list.textContent = "";
    groups.forEach(function (group) {
      var item = document.createElement("li"), said = [];
      if (group.taps) {
        said.push(section.dataset[group.taps === 1 ? "tapsOne" : "tapsMany"].replace("{n}", String(group.taps)));
      }
      if (group.validate) said.push(section.dataset.validation);
      if (group.evaluation) said.push(section.dataset.evaluation);
      var text = document.createElement("span");
      if (group.first.label) {
        var who = document.createElement("strong");
        who.textContent = group.first.label;
        item.appendChild(who);
        item.appendChild(document.createTextNode(" "));
      }
      text.textContent = said.join(", ") + (group.sending ? " (" + section.dataset.sending + ")" : "");
      var to = document.createElement("a");
      to.className = "button";
      to.href = gesturePage(group.first);
      to.textContent = section.dataset.open;
      item.appendChild(text);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(to);
      list.appendChild(item);
    });
    read(REFUSED).forEach(function (r) {
      var item = document.createElement("li"), to = document.createElement("a");
      to.href = r.page;
      to.textContent = section.dataset.refused + " " + r.message;
      item.appendChild(to);
      list.appendChild(item);
    });
    // The forms' outbox (outbox.js) lists its own entries: "nothing waits" only if it is empty.
    section.querySelector(".rien").hidden = list.children.length > 0 || read("gestes-forms:user:" + account).length > 0;
  }

  var cameBack = "";  // an evaluation refused when it went from the queue, its page open again

  function show() {
    showElsewhere();
    showAll();
    if (!page && !document.getElementById("epreuve")) return;
    var list = stillWaiting(mine());
    var banner = document.getElementById("en-attente");
    var strong = banner && banner.querySelector("strong");
    if (strong && !banner.dataset.offline) banner.dataset.offline = strong.textContent;
    if (banner && !list.length && cameBack) {
      banner.hidden = false;
      strong.textContent = words("en-attente", "refused", "Refusée :");
      banner.querySelector("span").textContent = cameBack;
    } else if (banner) {
      banner.hidden = list.length === 0;
      strong.textContent = banner.dataset.offline;
      var text = list.length === 1
        ? words("en-attente", "one", "{n} saisie en attente d'envoi")
        : words("en-attente", "many", "{n} saisies en attente d'envoi");
      banner.querySelector("span").textContent = text.replace("{n}", String(list.length));
      if (list.some(function (t) { return t.kind === "validate"; })) {
        banner.querySelector("strong").textContent = words(
          "en-attente", "validation",
          "La validation attend aussi : elle partira après les saisies, au retour du réseau."
        );
      }
    }
    // Each step and choice once, however many taps wait: a long queue drains at the
    // server's pace, not at the pace of marking the page again for every tap it holds.
    var marked = {};
    list.forEach(function (tap) {
      tap.body.forEach(function (pair) {  // the choice made, marked until it is stored
        if (pair[0] === "result") marked[tap.step + "\n" + pair[1]] = [tap.step, pair[1]];
      });
    });
    document.querySelectorAll("li.step").forEach(function (li) { li.classList.remove("waiting"); });
    document.querySelectorAll("button.pending").forEach(function (b) { b.classList.remove("pending"); });
    Object.keys(marked).forEach(function (key) {
      var li = document.getElementById("etape-" + marked[key][0]);
      if (!li) return;
      li.classList.add("waiting");
      var button = li.querySelector('button[value="' + marked[key][1] + '"]');
      if (button) button.classList.add("pending");
    });
  }

  function keep(path, body, kind, inflight) {
    var list = waiting();
    var key = JSON.stringify(body);
    var known = list.find(function (t) { return JSON.stringify(t.body) === key; });
    if (known) {  // already in the outbox: its request failed, or it is sent again
      known.inflight = inflight || "";
      known.since = Date.now();
      save(list);
    } else {
      var step = "";
      body.forEach(function (pair) { if (pair[0] === "step") step = pair[1]; });
      kind = kind || "tap";
      var attempt = kind === "evaluation" ? "evaluation:" + path : attemptOf(body);
      var banner = document.getElementById("en-attente");
      var item = {
        path: path, body: body, attempt: attempt, step: step, kind: kind,
        label: (banner && banner.dataset.label) || "",  // whose, what: for the list of all
        seq: Number(field({ body: body }, "seq")) || 0, inflight: inflight || "", since: Date.now()
      };
      // One validation per attempt, always last: the taps it closes go first. One evaluation
      // per page: typed again before it could go, the latest is what the trainer means.
      list = list.filter(function (t) {
        return !((t.kind === "validate" || t.kind === "evaluation") && t.attempt === item.attempt);
      });
      if (item.kind === "tap") {
        var at = list.findIndex(function (t) { return t.kind === "validate" && t.attempt === item.attempt; });
        if (at >= 0) list.splice(at, 0, item); else list.push(item);
      } else {
        list.push(item);
      }
      save(list);
    }
    show();
  }

  function refused(tap, message, where) {
    var li = where || (tap.attempt === here() && document.getElementById("etape-" + tap.step));
    if (!li) {  // another page's tap: said in the banner until the trainer has seen it
      var list = read(REFUSED);
      // An evaluation's values go with it: its page, opened, is filled in again with them.
      list.push({ page: gesturePage(tap), message: message, body: tap.kind === "evaluation" ? tap.body : null });
      localStorage.setItem(REFUSED, JSON.stringify(list));
      return;
    }
    var note = li.querySelector(".refused") || document.createElement("p");
    note.className = "refused error";
    note.setAttribute("role", "alert");
    note.textContent = words("en-attente", "refused", "Saisie refusée :") + " " + message;
    li.appendChild(note);
  }

  var sending = false;

  // Taps at the head of the queue, of one attempt, up to its validation (which goes alone,
  // after them): several go in one request, so a long queue drains in a few round trips.
  function headTaps(list) {
    var batch = [];
    for (var i = 0; i < list.length && batch.length < BATCH; i++) {
      if (list[i].kind !== "tap" || list[i].path !== list[0].path || list[i].attempt !== list[0].attempt) break;
      batch.push(list[i]);
    }
    return batch;
  }
  function field(tap, name) {
    for (var i = 0; i < tap.body.length; i++) if (tap.body[i][0] === name) return tap.body[i][1];
    return "";
  }
  function forget(sent) {
    var keys = sent.map(function (t) { return JSON.stringify(t.body); });
    save(waiting().filter(function (t) { return keys.indexOf(JSON.stringify(t.body)) < 0; }));
  }
  // Only an answer that says what was stored lets an entry go: a redirect (to the login page:
  // the session expired), a 401 or 403, a 5xx, or a page that is not the server's answer (the
  // service worker's) keeps it, and it goes again later.
  function unanswered(response) {
    return response.type === "opaqueredirect" || response.status === 0 ||
      (response.status >= 300 && response.status < 400) ||
      response.status === 401 || response.status === 403 || response.status >= 500;
  }
  function acknowledged(response) {  // the counts of the taps the server stored
    try { return JSON.parse(response.headers.get("X-Gestes-Stored") || "null"); } catch (e) { return null; }
  }
  function refusedAll(batch, response) {
    return response.json().then(function (data) {
      batch.forEach(function (t) { refused(t, data.detail || String(response.status)); });
    }, function () { batch.forEach(function (t) { refused(t, String(response.status)); }); });
  }

  function batchBody(batch) {
    return {
      attempt: batch[0].attempt,
      taps: batch.map(function (t) {
        var made = field(t, "made"), seq = field(t, "seq");
        return {
          step: t.step, result: field(t, "result"), tap: Number(field(t, "tap") || 0),
          made: made ? Number(made) : null, device: field(t, "device"), seq: seq ? Number(seq) : null
        };
      })
    };
  }

  // The one request for waiting entries, as flush() sends it and as the courier (sw.js) keeps
  // it: several taps of an attempt together (``/steps/batch``), or one entry as its form.
  function requestOf(items) {
    if (items.length > 1) {
      return {
        url: items[0].path + "/batch",
        // HX-Request: an expired session answers 401, not a redirect to the login page
        headers: { "Content-Type": "application/json", "HX-Request": "true", "X-CSRF-Token": csrf() },
        body: JSON.stringify(batchBody(items))
      };
    }
    var form = new URLSearchParams();
    items[0].body.forEach(function (pair) { form.append(pair[0], pair[0] === "csrf_token" ? csrf() : pair[1]); });
    // A validation says what its page shows as it leaves (on another page: nothing to say).
    if (items[0].kind === "validate" && items[0].attempt === here()) {
      form.set("seen", seen());
      form.set("device", device());
    }
    return {
      url: items[0].path,
      headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "X-CSRF-Token": csrf() },
      body: form.toString()
    };
  }
  function post(items) {
    var request = requestOf(items);
    return fetch(request.url, {
      method: "POST", credentials: "same-origin", headers: request.headers, body: request.body,
      redirect: "manual"  // a redirect is never an acknowledgement
    });
  }

  function sendMany(batch) {
    return post(batch).then(function (response) {
      if (unanswered(response)) throw new Error("server " + response.status);
      if (!response.ok) { forget(batch); return refusedAll(batch, response); }
      var stored = acknowledged(response);
      if (stored === null) throw new Error("no acknowledgement");
      var notes = JSON.parse(response.headers.get("X-Gestes-Refused") || "[]");
      var done = stored.concat(notes.map(function (note) { return note[2]; }));
      // A tap kept by an earlier version has no count: acknowledged with its batch.
      forget(batch.filter(function (t) { return !t.seq || done.indexOf(t.seq) >= 0; }));
      return response.text().then(function (html) {
        if (batch[0].attempt === here()) htmx.swap("#etapes", html, { swapStyle: "outerHTML" });
        notes.forEach(function (note) {
          refused({ step: note[0], attempt: batch[0].attempt, path: batch[0].path }, note[1]);
        });
      });
    });
  }

  function sendOne(tap) {
    return post([tap]).then(function (response) {
      if (unanswered(response)) throw new Error("server " + response.status);
      var said = tap.kind === "tap" ? acknowledged(response) !== null
        : response.headers.get("X-Gestes-Saved") !== null || response.headers.get("X-Gestes-Refused") !== null;
      if (response.ok && !said) throw new Error("no acknowledgement");
      forget([tap]);
      if (!response.ok) return refusedAll([tap], response);
      var notes = JSON.parse(response.headers.get("X-Gestes-Refused") || "[]");
      return response.text().then(function (html) {
        var open = tap.attempt === here();
        if (notes.length && !open) {  // an evaluation refused (a value out of range): said
          refused(tap, notes.map(function (n) { return n[1]; }).join(" "));
        }
        if (!open) return;  // stored; that page is not open
        if (tap.kind === "evaluation") htmx.swap("#epreuve", html, { swapStyle: "outerHTML" });
        else if (tap.kind === "validate") htmx.swap("#resultat", html, { swapStyle: "none" });
        else htmx.swap("#etape-" + tap.step, html, { swapStyle: "outerHTML" });
      });
    });
  }

  function flush() {
    if (sending || !navigator.onLine) return;
    // This page's attempt first (what the trainer is looking at), then the others in order.
    var all = waiting(), list = mine().concat(all.filter(function (t) { return t.attempt !== here(); }));
    if (!list.length) return;
    // What this page is sending right now goes first, by its own request: nothing after it
    // (its attempt's validation above all) overtakes it.
    if (sendingNow(list[0])) return;
    sending = true;
    var batch = headTaps(list), answered = false;
    (batch.length > 1 ? sendMany(batch) : sendOne(list[0]))
      .then(function () { answered = true; })
      .catch(function () { /* still offline: kept, tried again later */ })
      // Answered: the next one at once (a queue drains at the server's pace). Not answered:
      // the next try waits for the network to come back, or for the next round.
      .finally(function () { sending = false; show(); if (answered && waiting().length) flush(); });
  }

  document.body.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.classList) return;
    var kind = form.classList.contains("taps") ? "tap"
      : form.classList.contains("validate") ? "validate"
      : form.classList.contains("evaluation") ? "evaluation" : "";
    if (!kind) return;
    if (kind === "tap") {  // when and where it was made, then kept before it is sent
      event.detail.formData.set("made", String(Date.now()));
      event.detail.formData.set("device", device());
      event.detail.formData.set("seq", String(nextSeq()));
    }
    form.gestesTap = {
      path: event.detail.path, body: Array.from(event.detail.formData.entries()), kind: kind
    };
    keep(form.gestesTap.path, form.gestesTap.body, kind, PAGE);  // kept before it leaves
    if (kind === "validate") {
      event.detail.formData.set("seen", seen());
      event.detail.formData.set("device", device());
    }
    if (kind === "evaluation" && cameBack) { cameBack = ""; show(); }  // sent again
  });
  function lost(event) {  // not stored: it waits (a tap was kept before it left)
    var form = event.detail.elt;
    if (form && form.gestesTap) keep(form.gestesTap.path, form.gestesTap.body, form.gestesTap.kind);
  }
  // A tap the server acknowledged leaves the outbox; answered otherwise, it waits (a failure
  // keeps it through the handlers below). Read before the swap: the swap replaces the step,
  // form included, and events of a detached form reach no listener.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // detail.elt is the swap's target (the step); the form that asked is the request's
    var config = event.detail.requestConfig, xhr = event.detail.xhr;
    var form = config && config.elt, sent = form && form.gestesTap;
    if (!sent || !xhr) return;
    var refusedHere = xhr.status >= 400 && xhr.status < 500 && xhr.status !== 401 && xhr.status !== 403;
    if (refusedHere || (xhr.status === 200 && acknowledges(xhr, sent))) {
      var seq = Number(field(sent, "seq")), attempt = sent.kind === "evaluation"
        ? "evaluation:" + sent.path : attemptOf(sent.body);
      save(waiting().filter(function (t) {
        return t.kind !== sent.kind || (sent.kind === "tap" ? t.seq !== seq : t.attempt !== attempt);
      }));
    } else {
      keep(sent.path, sent.body, sent.kind);  // waits: the queue sends it again
    }
    setTimeout(function () { show(); flush(); }, 0);
  });
  // The server's word that it holds the entry: a tap by its count (X-Gestes-Stored), a
  // validation or an evaluation by its key (X-Gestes-Saved), or its form answered with the
  // reasons it was not stored (X-Gestes-Refused: said on the page, nothing to send again).
  function acknowledges(xhr, sent) {
    if (sent.kind === "tap") {
      var stored = null;
      try { stored = JSON.parse(xhr.getResponseHeader("X-Gestes-Stored") || "null"); } catch (e) { stored = null; }
      return !!stored && stored.indexOf(Number(field(sent, "seq"))) >= 0;
    }
    if (xhr.getResponseHeader("X-Gestes-Refused") !== null) return true;
    var key = field(sent, sent.kind === "evaluation" ? "submit_id" : "attempt");
    return !!key && xhr.getResponseHeader("X-Gestes-Saved") === key;
  }
  // The session expired: the server asks for the login page (401 + HX-Redirect). The tap
  // (or validation) waits in the queue, and goes once the trainer is back on the page.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401) lost(event);
  });
  document.body.addEventListener("htmx:sendError", lost);
  document.body.addEventListener("htmx:timeout", lost);
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status >= 500 || status === 0) { lost(event); return; }
    // Refused (4xx, not an expired session): said on its step, never a silent no-op.
    var form = event.detail.elt;
    if (status === 401 || !form || !form.gestesTap || form.gestesTap.kind !== "tap") return;
    var body = form.gestesTap.body;
    var tap = { step: field({ body: body }, "step"), attempt: attemptOf(body), path: form.gestesTap.path };
    refused(tap, reasonOf(xhr), form.closest("li.step"));
  });
  // The server's reason: JSON's detail, or the sentence of its French error page.
  function reasonOf(xhr) {
    try {
      if ((xhr.getResponseHeader("Content-Type") || "").indexOf("json") >= 0) {
        return JSON.parse(xhr.responseText).detail || String(xhr.status);
      }
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var said = page.querySelector("main p[role=alert]");
      return said ? said.textContent.trim() : String(xhr.status);
    } catch (e) { return String(xhr.status); }
  }
  // "Valider" while taps wait: it waits after them, in the queue, and goes last.
  document.body.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form.classList || !form.classList.contains("validate") || !mine().length) return;
    event.preventDefault();
    if (!form.reportValidity()) return;  // autonomy chosen, as online
    keep(form.getAttribute("hx-post"), Array.from(new FormData(form).entries()), "validate");
  });
  // A tap redraws its step: the focus stays there (on the choice made), not lost to the top
  // of the page, so a keyboard or a screen reader goes on from the same step.
  var tappedStep = "";
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.classList || !form.classList.contains("taps")) return;
    var step = form.querySelector("input[name=step]");
    tappedStep = step ? step.value : "";
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    var focused = document.activeElement;
    if (!tappedStep || (focused && focused !== document.body)) return;
    var li = document.getElementById("etape-" + tappedStep);
    tappedStep = "";
    var button = li && (li.querySelector('button[aria-pressed="true"]') || li.querySelector("button"));
    if (button) button.focus({ preventScroll: true });
  });
  var dismiss = document.querySelector("#en-attente-ailleurs button");
  if (dismiss) {
    dismiss.addEventListener("click", function () { localStorage.removeItem(REFUSED); show(); });
  }
  window.addEventListener("storage", function (event) { if (event.key === STORE) show(); });

  // The steps as this page shows them, sent with a validation: the store refuses it if it
  // holds anything else (another tablet's tap). Read when the validation leaves, never
  // earlier: a validation waits behind this tablet's taps, and their answers redraw the
  // steps as stored before it goes.
  function seen() {
    var steps = {};
    document.querySelectorAll("#etapes li.step").forEach(function (li) {
      var pressed = li.querySelector('button[aria-pressed="true"]');
      if (pressed) steps[li.id.replace(/^etape-/, "")] = pressed.value;
    });
    return JSON.stringify(steps);
  }

  // The evaluation page shows what waits for it, or what came back refused, filled in: after
  // a reload without network the trainer sees the values typed, not an empty form.
  function refill(body) {
    var form = document.querySelector("form.evaluation");
    if (!form) return;
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
    var seen = {};
    body.forEach(function (pair) {
      if (pair[0] === "csrf_token") return;
      var n = seen[pair[0]] || 0;
      seen[pair[0]] = n + 1;
      var input = form.querySelectorAll('[name="' + pair[0] + '"]')[n];
      if (!input) return;
      if (input.type === "checkbox") input.checked = true; else input.value = pair[1];
    });
  }
  (function evaluationPage() {
    if (!document.querySelector("form.evaluation")) return;
    var waitingHere = mine().filter(function (t) { return t.kind === "evaluation"; });
    if (waitingHere.length) { refill(waitingHere[0].body); return; }
    var all = read(REFUSED), back = all.filter(function (r) { return r.body && r.page === location.pathname; });
    if (!back.length) return;
    refill(back[0].body);
    cameBack = back[0].message;  // said in the banner (show) until it is sent again
    localStorage.setItem(REFUSED, JSON.stringify(all.filter(function (r) { return back.indexOf(r) < 0; })));
  }());

  // Taps kept before the queue was per account (key "gestes-waiting-taps") would otherwise
  // never be seen again: they join the queue of the first trainer to sign in on this tablet,
  // who is whom the earlier version would have sent them as.
  var legacy = localStorage.getItem("gestes-waiting-taps");
  if (legacy) {
    try { JSON.parse(legacy).forEach(function (t) { keep(t.path, t.body, t.kind); }); } catch (e) { /* unreadable */ }
    localStorage.removeItem("gestes-waiting-taps");
  }

  // The courier (sw.js): a copy of the queue as the requests flush() would send, in order,
  // handed over when the page may be closed; taken back when a page is open again.
  function asRequests(list) {
    var out = [];
    for (var i = 0; i < list.length;) {
      var batch = headTaps(list.slice(i));
      var items = batch.length > 1 ? batch : [list[i]];
      out.push(requestOf(items));
      i += items.length;
    }
    return out;
  }
  function courier(message) {
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker) worker.postMessage(message);
  }
  var handed = "";  // what was last handed over: hiding then unloading hands it once
  function handOver() {
    var list = waiting(), copy = JSON.stringify(list);
    if (!list.length || copy === handed) return;
    handed = copy;
    courier({ type: "hold", requests: asRequests(list) });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { handOver(); return; }
    handed = "";
    courier({ type: "page-open" });
  });
  window.addEventListener("pagehide", handOver);
  courier({ type: "page-open" });

  // « En attente sur cette tablette » must open without network on a tablet that never
  // opened it: kept in the service worker's page cache (emptied at sign-out) from any page.
  if (window.caches && navigator.onLine && navigator.serviceWorker && navigator.serviceWorker.controller) {
    caches.open("gestes-pages").then(function (cache) {
      return cache.match("/en-attente").then(function (hit) { return hit || cache.add("/en-attente"); });
    }).catch(function () { /* tried again on the next page */ });
  }

  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  show();
  flush();
}());
