// The outbox of a page's forms (issue 26): a comment, a level decision, an exit, a tutor's
// and a trainee's entries are kept on the device before they are sent, and leave it only on
// the server's acknowledgement — as the floor's taps do (scoring.js), for the forms that are
// not taps.
//
// A form marked `data-outbox="<what, whose>"` is not posted as a page: its fields are written
// to this device's outbox (localStorage, synchronously, before anything leaves), then sent
// with `fetch` and the header `X-Gestes-Outbox: <key>`. The server answers such a request in
// JSON (web/outbox.py): `X-Gestes-Saved: <the same key>` lets the entry go and the page moves
// on to where the form leads; any other answer keeps it:
// - no network, a server error: it waits, said beside the form, and goes again by itself
//   (every few seconds, and as soon as the network is back), from any page of the same
//   account or link — a reload, another page, a closed tab never lose it;
// - 401 (the session ended): it waits for the trainer to sign in again;
// - a refusal (4xx: a field out of range, a link withdrawn): the form is then posted as a
//   page, so that the server's reasons stand beside its fields with what was typed (nothing
//   was stored, so posting it again stores nothing twice); refused when it went from another
//   page, it is listed, and its fields come back into its form when its page is opened.
// The key: the form's submit_id (a comment, a decision, an exit: stored once however often it
// is sent), or, for the entries kept one per subject (a tutor's hours for a week, a trainee's
// « je sais faire » for a competency), the form's action and `data-outbox-subject` fields: a
// newer entry on the same subject replaces the one still waiting, so that an older value
// never arrives after the newer one from this device.
// A photo (a file input) is kept too: its bytes in IndexedDB (localStorage holds a few
// megabytes of text, a photo is several), written before the entry, under the entry's id; its
// key is the form's action, the file's name and size (the same photo chosen twice waits once;
// the store keeps one copy of the same file per entry).
(function () {
  "use strict";
  var body = document.body;
  // Whose outbox: the signed-in account, the code the page was opened with (a trainee's, held
  // in a cookie: the page names it by a token of it), or the link in the address (a tutor's,
  // a partner's questionnaire): a shared tablet never sends one person's entries as another's.
  var link = location.pathname.match(/^\/(tuteur|moi|avis)\/([^/]+)/);
  var scope = body.dataset.user ? "user:" + body.dataset.user
    : body.dataset.scope ? body.dataset.scope : link ? link[0] : "";
  if (!scope) return;
  var STORE = "gestes-forms:" + scope, REFUSED = STORE + ":refused";
  var PAGE = Math.random().toString(36).slice(2);
  var words = document.getElementById("formulaires-en-attente");
  function say(name) { return (words && words.dataset[name]) || ""; }

  function read(name) {
    try { return JSON.parse(localStorage.getItem(name) || "[]"); } catch (e) { return []; }
  }
  function write(name, list) { localStorage.setItem(name, JSON.stringify(list)); }
  function update(id, change) {
    var list = read(STORE), entry = list.find(function (e) { return e.id === id; });
    if (entry) { change(entry); write(STORE, list); }
    return entry;
  }
  function drop(id) {
    var list = read(STORE);
    list.filter(function (e) { return e.id === id; }).forEach(forgetFiles);
    write(STORE, list.filter(function (e) { return e.id !== id; }));
  }

  function fieldsOf(form, submitter) {
    var fields = [];
    new FormData(form, submitter || undefined).forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }
  function filesOf(form) {
    var files = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string" && value.size) files.push([name, value]);
    });
    return files;
  }

  // The files' store: one object per file, keyed "<entry id>:<field>".
  function files(mode, work) {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("gestes-outbox", 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore("files"); };
      opening.onerror = function () { reject(opening.error); };
      opening.onsuccess = function () {
        var db = opening.result, tx = db.transaction("files", mode), found = work(tx.objectStore("files"));
        tx.oncomplete = function () { db.close(); resolve(found && found.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      };
    });
  }
  function keepFiles(entry, chosen) {
    return files("readwrite", function (store) {
      chosen.forEach(function (pair) {
        store.put({ blob: pair[1], name: pair[1].name, type: pair[1].type }, entry.id + ":" + pair[0]);
      });
    });
  }
  function readFile(entry, field) {
    return files("readonly", function (store) { return store.get(entry.id + ":" + field); });
  }
  function forgetFiles(entry) {
    if (!entry.files || !entry.files.length) return;
    files("readwrite", function (store) {
      entry.files.forEach(function (field) { store.delete(entry.id + ":" + field); });
    }).catch(function () { /* a leftover blob is harmless; the next sign-out page clears */ });
  }
  function valueOf(fields, name) {
    var pair = fields.find(function (p) { return p[0] === name; });
    return pair ? pair[1] : "";
  }
  function keyOf(form, fields) {
    var submitId = valueOf(fields, "submit_id");
    if (submitId) return submitId;
    var subject = (form.dataset.outboxSubject || "").split(" ").filter(Boolean);
    return form.getAttribute("action") + "|" + subject.map(function (n) { return valueOf(fields, n); }).join("|");
  }
  function formFor(entry) {
    return Array.from(document.querySelectorAll("form[data-outbox]")).find(function (f) {
      return f.getAttribute("action") === entry.action;
    });
  }
  function note(form, text, role) {
    if (!form) return;
    var p = form.querySelector(".outbox-note") || document.createElement("p");
    p.className = "outbox-note" + (role === "alert" ? " error" : "");
    p.setAttribute("role", role || "status");
    p.textContent = text;
    form.appendChild(p);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset.outbox || form.dataset.direct) return;
    event.preventDefault();
    var fields = fieldsOf(form, event.submitter), chosen = filesOf(form);
    var entry = {
      id: Math.random().toString(36).slice(2) + Date.now().toString(36),
      key: keyOf(form, fields), action: form.getAttribute("action"), fields: fields,
      label: form.dataset.outbox, page: location.pathname + location.search, at: Date.now(),
      submitter: event.submitter && event.submitter.name ? [event.submitter.name, event.submitter.value] : null,
      files: chosen.map(function (pair) { return pair[0]; }),
    };
    chosen.forEach(function (pair) { entry.key += "|" + pair[1].name + "|" + pair[1].size; });
    note(form, say("sending"));
    // Written before it leaves (a file first, then the entry that names it); a newer entry
    // on the same subject replaces the waiting one.
    (chosen.length ? keepFiles(entry, chosen) : Promise.resolve()).then(function () {
      var list = read(STORE);
      list.filter(function (e) { return e.key === entry.key; }).forEach(forgetFiles);
      write(STORE, list.filter(function (e) { return e.key !== entry.key; }).concat([entry]));
      send(entry, form);
    }, function () { note(form, say("refused"), "alert"); });
  });

  // The current page's CSRF token replaces the one kept: the session may have been renewed
  // (signed in again) since the entry was written.
  function bodyOf(entry) {
    var token = document.querySelector("input[name=csrf_token]");
    var params = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      params.append(pair[0], pair[0] === "csrf_token" && token ? token.value : pair[1]);
    });
    return params;
  }

  // A photo's entry goes as a multipart form, its file read back from IndexedDB.
  function payload(entry) {
    if (!entry.files || !entry.files.length) return Promise.resolve(bodyOf(entry));
    var data = new FormData();
    bodyOf(entry).forEach(function (value, name) { data.append(name, value); });
    return entry.files.reduce(function (chain, field) {
      return chain.then(function () {
        return readFile(entry, field).then(function (kept) {
          if (kept) data.append(field, new File([kept.blob], kept.name, { type: kept.type }));
          else data = null;  // its file is gone (the browser's storage cleared): refused
        });
      });
    }, Promise.resolve()).then(function () { return data; });
  }

  var GONE = {};  // a photo whose file the browser no longer holds: nothing can be sent

  function send(entry, form) {
    update(entry.id, function (e) { e.inflight = PAGE; e.since = Date.now(); });
    return payload(entry).then(function (body) {
      if (body === null) return GONE;
      return fetch(entry.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-Gestes-Outbox": entry.key.slice(0, 80).replace(/[^\x20-\x7e]/g, "?") },
      });
    }).then(function (response) {
      if (response === GONE) {  // listed as refused: the trainer chooses the photo again
        refused(entry, null);
        show();
        return undefined;
      }
      update(entry.id, function (e) { e.inflight = ""; });
      var sent = entry.key.slice(0, 80).replace(/[^\x20-\x7e]/g, "?");
      if (response.headers.get("X-Gestes-Saved") === sent) {
        drop(entry.id);
        return response.json().then(function (answer) {
          if (form && answer.location) return go(answer.location);
          else note(formFor(entry), say("saved"));
          show();
        });
      }
      if (response.status === 401 || (response.status === 403 && body.dataset.user)) {
        note(form || formFor(entry), say("signin"), "alert");  // it waits for a new session
      } else if (response.status >= 400 && response.status < 500) {
        refused(entry, form);
      } else {
        note(form || formFor(entry), say("kept"), "alert");  // a server error: it waits
      }
      show();
      return undefined;
    }, function () {  // no network: it waits on the device
      update(entry.id, function (e) { e.inflight = ""; });
      note(form || formFor(entry), say("kept"), "alert");
      show();
    });
  }

  // Where the form leads, as a page's post would: the page itself again is reloaded (a hash
  // alone would not bring what was stored).
  function go(where) {
    var target = new URL(where, location.href);
    if (target.pathname + target.search === location.pathname + location.search) {
      location.hash = target.hash;
      location.reload();
    } else {
      location.assign(target.href);
    }
  }

  // Refused: posted as a page when its form is here (the reasons beside the fields, with what
  // was typed); otherwise listed, its fields kept for when its page is opened.
  function refused(entry, form) {
    drop(entry.id);
    if (form) {
      form.dataset.direct = "1";
      var button = entry.submitter && form.querySelector('[name="' + entry.submitter[0] + '"][value="' + entry.submitter[1] + '"]');
      form.requestSubmit(button || undefined);
      return;
    }
    write(REFUSED, read(REFUSED).concat([entry]));
    restore();  // its form on this page: back into it now
  }

  // A refused entry's page opened: its fields come back into its form, with a word.
  function restore() {
    var left = [];
    read(REFUSED).forEach(function (entry) {
      var form = formFor(entry);
      if (!form || entry.page.split("?")[0] !== location.pathname) { left.push(entry); return; }
      var seen = {};
      entry.fields.forEach(function (pair) {
        var n = seen[pair[0]] || 0, input = form.querySelectorAll('[name="' + pair[0] + '"]')[n];
        seen[pair[0]] = n + 1;
        if (input && input.type !== "hidden" && input.type !== "checkbox" && input.type !== "radio") input.value = pair[1];
      });
      note(form, say("refused"), "alert");
    });
    write(REFUSED, left);
  }

  // What waits, on every page: a banner (with the list's link for staff), the notes beside
  // the forms whose entries wait, and the full list on « En attente sur cette tablette ».
  function show() {
    var waiting = read(STORE), refusedOnes = read(REFUSED);
    if (!words) return;
    words.hidden = !waiting.length && !refusedOnes.length;
    words.querySelector("span").textContent = waiting.length
      ? say(waiting.length === 1 ? "one" : "many").replace("{n}", String(waiting.length)) : "";
    var list = words.querySelector("ul");
    list.textContent = "";
    waiting.concat(refusedOnes).forEach(function (entry) {
      var item = document.createElement("li"), to = document.createElement("a");
      to.href = entry.page;
      to.textContent = (refusedOnes.indexOf(entry) >= 0 ? say("refusedShort") + " " : "") + entry.label;
      item.appendChild(to);
      list.appendChild(item);
    });
    waiting.forEach(function (entry) {
      var form = formFor(entry);
      if (form && !form.querySelector(".outbox-note")) note(form, say("kept"), "alert");
    });
  }

  var busy = false;
  function flush() {
    if (busy) return;
    var next = read(STORE).filter(function (e) { return !e.inflight; });
    if (!next.length) { show(); return; }
    busy = true;
    next.reduce(function (chain, entry) {
      return chain.then(function () { return send(entry, null); });
    }, Promise.resolve()).then(function () { busy = false; }, function () { busy = false; });
  }

  // A page left mid-request: its entries are free for the next page to send (nothing lost).
  window.addEventListener("pagehide", function () {
    var list = read(STORE);
    list.forEach(function (e) { if (e.inflight === PAGE) e.inflight = ""; });
    write(STORE, list);
  });
  // An entry marked by a page that never said it left (a crash): free after a minute.
  var stale = read(STORE);
  stale.forEach(function (e) { if (e.inflight && Date.now() - (e.since || 0) > 60000) e.inflight = ""; });
  write(STORE, stale);

  restore();
  show();
  flush();
  window.addEventListener("online", flush);
  setInterval(function () { if (navigator.onLine && read(STORE).length) flush(); }, 5000);
})();
