/* cowork live glue: follow the workshop's session record over socket.io and apply the pushed swaps;
 * keep typed text and unsent cards across drops and reloads. Pages work without this script. */
(function () {
  "use strict";

  var body = document.body;
  var workshopId = body.getAttribute("data-workshop-id");
  var announcer = document.getElementById("announcer");
  var indicator = document.getElementById("connection");
  var QUEUE_KEY = "cowork-outbox:" + location.pathname;

  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function store(key, value) {
    try {
      if (value === null || value === "") localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch (e) { /* private mode: drafts live only in the page */ }
  }

  function load(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  // --- drafts: what someone is typing survives a reload, a stage swap or a lost connection ----------
  function draftKey(field) { return "cowork-draft:" + location.pathname + ":" + field.getAttribute("data-draft"); }

  function restoreDrafts(root) {
    var fields = root.querySelectorAll("[data-draft]");
    for (var i = 0; i < fields.length; i++) {
      var saved = load(draftKey(fields[i]));
      if (saved && !fields[i].value) fields[i].value = saved;
    }
  }

  document.addEventListener("input", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-draft")) store(draftKey(e.target), e.target.value);
  });

  // --- the outbox: a card sent while offline goes out once the connection is back, exactly once ------
  function outbox() {
    try { return JSON.parse(load(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }

  function saveOutbox(items) { store(QUEUE_KEY, items.length ? JSON.stringify(items) : null); }

  function say(form, text, isError) {
    var box = form.querySelector(".form-message");
    if (!box) return;
    box.textContent = "";
    var span = document.createElement("span");
    span.className = isError ? "message-error" : "ok";
    span.textContent = text;
    box.appendChild(span);
  }

  function post(item) {
    return fetch(item.action, {
      method: "POST",
      body: new URLSearchParams(item.fields),
      headers: { "X-Cowork-Fetch": "1", "Accept": "application/json" },
      credentials: "same-origin"
    });
  }

  var flushing = false;
  function flushOutbox() {
    var items = outbox();
    if (flushing || !items.length) return;
    flushing = true;
    var item = items[0];
    post(item).then(function (response) {
      // Delivered or refused for good (4xx): either way it leaves the outbox; the retry is idempotent.
      saveOutbox(outbox().filter(function (other) { return other.fields.client_id !== item.fields.client_id; }));
      flushing = false;
      if (response.ok) flushOutbox();
    }, function () { flushing = false; });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-live-form") || !window.fetch) return;
    e.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (value, key) { fields[key] = value; });
    if (!fields.client_id) fields.client_id = randomId();
    var item = { action: form.action, fields: fields };
    var textField = form.querySelector("[data-draft]");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;

    function clear() {
      form.reset();
      if (textField) store(draftKey(textField), null);
      form.querySelector("[name=client_id]").value = randomId();
    }

    post(item).then(function (response) {
      if (button) button.disabled = false;
      if (response.ok) {
        clear();
        say(form, body.getAttribute("data-msg-sent"), false);
        return;
      }
      return response.json().then(function (problem) { say(form, problem.detail, true); });
    }, function () {
      if (button) button.disabled = false;
      var items = outbox();
      items.push(item);
      saveOutbox(items);
      clear();
      say(form, body.getAttribute("data-msg-queued"), false);
    });
  });

  window.addEventListener("online", flushOutbox);
  restoreDrafts(document);

  if (!workshopId || !window.io) {
    flushOutbox();
    return;
  }

  // --- live: apply pushed events in seq order; ask for what was missed --------------------------------
  var lastSeq = parseInt(body.getAttribute("data-last-seq") || "0", 10);
  var announceTimer = null;
  var newCards = 0;

  function setState(state) {
    if (!indicator) return;
    indicator.setAttribute("data-state", state);
    indicator.textContent = indicator.getAttribute(state === "online" ? "data-online" : "data-offline");
  }

  function activate(el) {
    if (window.htmx && el) window.htmx.process(el);
  }

  function reload(el) {
    var src = el.getAttribute("data-src");
    if (!src) return;
    fetch(src, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
      if (html === null) return;
      el.innerHTML = html;
      restoreDrafts(el);
      activate(el);
    });
  }

  function applySwap(swap) {
    var el = document.querySelector(swap.target);
    if (!el) return;
    if (swap.op === "append") {
      el.insertAdjacentHTML("beforeend", swap.html);
      activate(el.lastElementChild);
    } else if (swap.op === "replace") {
      var focused = el.contains(document.activeElement);
      if (focused) return; // never pull the page from under someone editing this element
      el.insertAdjacentHTML("afterend", swap.html);
      var next = el.nextElementSibling;
      el.parentNode.removeChild(el);
      activate(next);
    } else if (swap.op === "remove") {
      el.parentNode.removeChild(el);
    } else if (swap.op === "text") {
      el.textContent = swap.text;
    } else if (swap.op === "reload") {
      reload(el);
    }
  }

  function announce(event) {
    if (event.type !== "card.added" || !announcer) return;
    newCards += 1;
    if (announceTimer) return;
    // Polite and batched: one message for a burst of cards, not one per card.
    announceTimer = setTimeout(function () {
      announcer.textContent = body.getAttribute("data-msg-new-card") + (newCards > 1 ? " (" + newCards + ")" : "");
      newCards = 0;
      announceTimer = null;
    }, 1500);
  }

  function apply(event) {
    if (event.seq <= lastSeq) return;
    if (event.seq > lastSeq + 1) {
      sync();
      return;
    }
    (event.swaps || []).forEach(applySwap);
    lastSeq = event.seq;
    body.setAttribute("data-last-seq", String(lastSeq));
    announce(event);
    document.dispatchEvent(new CustomEvent("cowork:event", { detail: event }));
  }

  var socket = window.io({
    transports: body.getAttribute("data-websocket-only") ? ["websocket"] : ["websocket", "polling"],
    tryAllTransports: true,
    auth: function (cb) {
      var auth = { workshop_id: parseInt(workshopId, 10), since: lastSeq };
      var token = body.getAttribute("data-token");
      if (token) auth.token = token;
      cb(auth);
    }
  });

  var syncing = false;
  function sync() {
    if (syncing) return;
    syncing = true;
    socket.emit("sync", { since: lastSeq }, function (answer) {
      syncing = false;
      (answer.events || []).forEach(apply);
      if (answer.complete === false) sync();
    });
  }

  socket.on("connect", function () { setState("online"); flushOutbox(); });
  socket.on("disconnect", function () { setState("offline"); });
  socket.on("connect_error", function () { setState("offline"); });
  socket.on("event", apply);
})();
