// Taps that could not reach the server are never silently gone (issue 15).
//
// The gesture page sends each tap with htmx. When the network fails (the training floor's
// Wi-Fi) or the server answers 5xx, the tap is kept in this browser (localStorage, by the
// attempt's key), its step shows « en attente d'envoi », a banner counts what waits, and
// "Valider" waits too. Every few seconds, and as soon as the browser is back online, waiting
// taps are sent again, together in one request when several wait (``/steps/batch``): a tap
// carries its own idempotency key (attempt, step, tap number, result), so one sent twice is
// stored once. A tap the server refuses (4xx) says so on its
// step. "Valider" pressed while taps wait, or without network, waits in the same queue,
// after them, and goes last (its key, "<attempt>:final", stores it once); the page then shows
// the outcome. Nothing here runs on other pages.
(function () {
  "use strict";
  var page = document.getElementById("etapes");
  if (!page) return;
  var STORE = "gestes-waiting-taps";

  function waiting() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(list) { localStorage.setItem(STORE, JSON.stringify(list)); }
  function attemptOf(body) {
    for (var i = 0; i < body.length; i++) if (body[i][0] === "attempt") return body[i][1];
    return "";
  }
  function here() {
    var field = document.querySelector("#etapes input[name=attempt]");
    return field ? field.value : "";
  }
  // The words come from the page (data-* on the banner), so they follow its language.
  function words(name, fallback) {
    var banner = document.getElementById("en-attente");
    return (banner && banner.dataset[name]) || fallback;
  }
  function mine() { return waiting().filter(function (t) { return t.attempt === here(); }); }
  function csrf() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function show() {
    var list = mine();
    var banner = document.getElementById("en-attente");
    if (banner) {
      banner.hidden = list.length === 0;
      var text = list.length === 1
        ? words("one", "{n} saisie en attente d'envoi")
        : words("many", "{n} saisies en attente d'envoi");
      banner.querySelector("span").textContent = text.replace("{n}", String(list.length));
      if (list.some(function (t) { return t.kind === "validate"; })) {
        banner.querySelector("strong").textContent = words(
          "validation",
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

  function keep(path, body, kind) {
    var list = waiting();
    var key = JSON.stringify(body);
    if (!list.some(function (t) { return JSON.stringify(t.body) === key; })) {
      var step = "";
      body.forEach(function (pair) { if (pair[0] === "step") step = pair[1]; });
      var item = { path: path, body: body, attempt: attemptOf(body), step: step, kind: kind || "tap" };
      // One validation per attempt, always last: the taps it closes go first.
      list = list.filter(function (t) { return !(t.kind === "validate" && t.attempt === item.attempt); });
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

  function refused(tap, message) {
    var li = document.getElementById("etape-" + tap.step);
    if (!li) return;
    var note = li.querySelector(".refused") || document.createElement("p");
    note.className = "refused error";
    note.setAttribute("role", "alert");
    note.textContent = words("refused", "Saisie refusée :") + " " + message;
    li.appendChild(note);
  }

  var sending = false;
  var BATCH = 200;  // the server's limit per request (web/scoring.py MAX_QUEUED)

  // Taps at the head of the queue (up to the validation, which goes alone, after them):
  // several go in one request, so a long queue drains in a few round trips.
  function headTaps(list) {
    var batch = [];
    for (var i = 0; i < list.length && batch.length < BATCH && list[i].kind === "tap"; i++) {
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
  // A 401 (the session expired while the tablet was offline) is not a refusal: the taps
  // stay, and go once the trainer has signed in again.
  function unanswered(response) { return response.status >= 500 || response.status === 401; }

  function sendMany(batch) {
    return fetch(batch[0].path + "/batch", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({
        attempt: batch[0].attempt,
        taps: batch.map(function (t) {
          return { step: t.step, result: field(t, "result"), tap: Number(field(t, "tap") || 0) };
        })
      })
    }).then(function (response) {
      if (unanswered(response)) throw new Error("server " + response.status);
      forget(batch);
      if (!response.ok) {
        return response.json().then(function (data) {
          batch.forEach(function (t) { refused(t, data.detail || String(response.status)); });
        }, function () { batch.forEach(function (t) { refused(t, String(response.status)); }); });
      }
      var notes = JSON.parse(response.headers.get("X-Gestes-Refused") || "[]");
      return response.text().then(function (html) {
        htmx.swap("#etapes", html, { swapStyle: "outerHTML" });
        notes.forEach(function (note) { refused({ step: note[0] }, note[1]); });
      });
    });
  }

  function sendOne(tap) {
    var form = new FormData();
    tap.body.forEach(function (pair) {
      form.append(pair[0], pair[0] === "csrf_token" ? csrf() : pair[1]);
    });
    return fetch(tap.path, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRF-Token": csrf() }
    }).then(function (response) {
      if (unanswered(response)) throw new Error("server " + response.status);
      forget([tap]);
      if (response.ok) {
        return response.text().then(function (html) {
          if (tap.kind === "validate") htmx.swap("#resultat", html, { swapStyle: "none" });
          else htmx.swap("#etape-" + tap.step, html, { swapStyle: "outerHTML" });
        });
      }
      return response.json().then(function (data) {
        refused(tap, data.detail || String(response.status));
      }, function () { refused(tap, String(response.status)); });
    });
  }

  function flush() {
    if (sending || !navigator.onLine) return;
    var list = mine();
    if (!list.length) return;
    sending = true;
    var batch = headTaps(list), answered = false;
    (batch.length > 1 ? sendMany(batch) : sendOne(list[0]))
      .then(function () { answered = true; })
      .catch(function () { /* still offline: kept, tried again later */ })
      // Answered: the next one at once (a queue drains at the server's pace). Not answered:
      // the next try waits for the network to come back, or for the next round.
      .finally(function () { sending = false; show(); if (answered && mine().length) flush(); });
  }

  document.body.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.classList) return;
    var kind = form.classList.contains("taps") ? "tap" : form.classList.contains("validate") ? "validate" : "";
    if (!kind) return;
    form.gestesTap = {
      path: event.detail.path, body: Array.from(event.detail.formData.entries()), kind: kind
    };
  });
  function lost(event) {
    var form = event.detail.elt;
    if (form && form.gestesTap) keep(form.gestesTap.path, form.gestesTap.body, form.gestesTap.kind);
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
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 500 || status === 0) lost(event);
  });
  // "Valider" while taps wait: it waits after them, in the queue, and goes last.
  document.body.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form.classList || !form.classList.contains("validate") || !mine().length) return;
    event.preventDefault();
    if (!form.reportValidity()) return;  // autonomy chosen, as online
    keep(form.getAttribute("hx-post"), Array.from(new FormData(form).entries()), "validate");
  });

  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  show();
  flush();
}());
