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

  // A live form (cards, answers) is answered with JSON; a page form (votes, ratings) with the page again.
  function post(item) {
    return fetch(item.action, {
      method: "POST",
      body: new URLSearchParams(item.fields),
      headers: item.page ? { "Accept": "text/html" } : { "X-Cowork-Fetch": "1", "Accept": "application/json" },
      credentials: "same-origin"
    });
  }

  function fieldsOf(form, submitter) {
    var fields = {};
    new FormData(form).forEach(function (value, key) { fields[key] = value; });
    if (submitter && submitter.name) fields[submitter.name] = submitter.value; // a +/- button's value
    if (!fields.client_id) fields.client_id = randomId();
    return fields;
  }

  function queue(item) {
    var items = outbox();
    items.push(item);
    saveOutbox(items);
  }

  var flushing = false;
  var delivered = false; // a page form went out from the outbox: reload to show what was stored
  function flushOutbox() {
    var items = outbox();
    if (flushing) return;
    if (!items.length) {
      if (delivered) location.reload();
      return;
    }
    flushing = true;
    var item = items[0];
    post(item).then(function (response) {
      // Delivered or refused for good (4xx): either way it leaves the outbox; the retry is idempotent.
      saveOutbox(outbox().filter(function (other) { return other.fields.client_id !== item.fields.client_id; }));
      flushing = false;
      if (item.page) delivered = true;
      if (response.ok || item.page) flushOutbox();
    }, function () { flushing = false; });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-live-form") || !window.fetch) return;
    e.preventDefault();
    var item = { action: form.action, fields: fieldsOf(form, null) };
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
      queue(item);
      clear();
      say(form, body.getAttribute("data-msg-queued"), false);
    });
  });

  // --- page forms (votes, ratings, stakeholders): their answer is the page again, whose <main> replaces
  // this one; a form sent during a drop waits in the outbox like a card and goes out once.
  function showPage(html, form, submitter) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
    var main = document.querySelector("main");
    if (!fresh || !main) {
      location.reload();
      return;
    }
    main.parentNode.replaceChild(fresh, main);
    restoreDrafts(fresh);
    if (window.htmx) window.htmx.process(fresh);
    // Keep the keyboard where it was: the same button if it can still be used, else the form's first field.
    var again = form.id ? document.getElementById(form.id) : null;
    var target = null;
    if (again && submitter && submitter.name) {
      target = again.querySelector("[name='" + submitter.name + "'][value='" + submitter.value + "']");
    }
    if (!target || target.disabled) target = again && again.querySelector("input, select, textarea, button:not([disabled])");
    if (target) target.focus();
  }

  // Browsers before SubmitEvent.submitter (Safari < 15.4) still say which +/- button was pressed.
  var clicked = null;
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("button[type=submit]") : null;
    clicked = button && button.form ? button : null;
  }, true);

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-outbox") || !window.fetch || !window.DOMParser) return;
    e.preventDefault();
    var submitter = e.submitter || (clicked && clicked.form === form ? clicked : null);
    var item = { action: form.action, fields: fieldsOf(form, submitter), page: true };
    post(item).then(function (response) {
      return response.text().then(function (html) { showPage(html, form, submitter); });
    }, function () {
      queue(item);
      say(form, body.getAttribute("data-msg-queued"), false);
    });
  });

  // A pushed card's edit box comes empty (the text would be in the push three times): fill it when opened.
  document.addEventListener("toggle", function (e) {
    var box = e.target.open && e.target.querySelector ? e.target.querySelector("textarea[data-fill-from]") : null;
    var source = box && !box.value ? document.getElementById(box.getAttribute("data-fill-from")) : null;
    if (source) box.value = source.textContent;
  }, true);

  // htmx replaced the Suggest panel under the keyboard's focus: give the focus to its heading, so the next
  // Tab goes on inside the panel instead of from the top of the page.
  document.addEventListener("htmx:after:swap", function () {
    var heading = document.querySelector(".suggest h3[tabindex]");
    if (heading && (!document.activeElement || document.activeElement === body)) heading.focus();
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
    if (swap.op === "refresh") {
      location.reload(); // too large to push: the page shows it (drafts and the outbox live in localStorage)
      return;
    }
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

  // The live region, polite and batched: new cards are counted and told once per burst, not one by one;
  // a closed vote is told with them.
  var heard = { cards: 0, closed: false };

  function announce(event) {
    if (!announcer) return;
    if (event.type === "card.added") heard.cards += 1;
    else if (event.type === "poll.closed") heard.closed = true;
    else return;
    if (announceTimer) return;
    announceTimer = setTimeout(function () {
      var words = [];
      if (heard.cards) words.push(body.getAttribute("data-msg-new-card") + (heard.cards > 1 ? " (" + heard.cards + ")" : ""));
      if (heard.closed) words.push(body.getAttribute("data-msg-poll-closed"));
      announcer.textContent = words.join(" ");
      heard = { cards: 0, closed: false };
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
  socket.on("events", function (batch) { batch.forEach(apply); }); // coalesced: several, in seq order
})();

/* --- timers --- */
/* Countdowns from the server's clock (issue 6). Each [data-countdown] element counts to its data-ends-at,
 * set right by the difference between the server's time when it was rendered (data-server-now) and this
 * device's clock, so every screen shows the same time left whatever its own clock says. At zero it gets the
 * class is-over and the words of data-msg-done; with data-announce, one polite message in #announcer. No
 * sound; the CSS keeps motion off under prefers-reduced-motion. Without this script the end time is the text.
 * Also here: the participant limit of a format (#capacity-warning), which follows participant.joined. */
(function () {
  "use strict";
  if (typeof WeakMap !== "function" || !document.querySelectorAll) return;
  var seen = new WeakMap(); // element -> { offset: server minus device ms, over: null | bool }

  function parse(iso) {
    var t = Date.parse(iso || "");
    return isNaN(t) ? null : t;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The same text as cowork.domain.agenda.clock_text: rounded up while time is left, "+m:ss" once over.
  function clockText(ms) {
    var whole, sign = "";
    if (ms > 0) {
      whole = Math.ceil(ms / 1000);
    } else {
      whole = Math.floor(-ms / 1000);
      if (whole) sign = "+";
    }
    var h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    return sign + (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s);
  }

  function localTime(ms) {
    try {
      return new Date(ms).toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
    } catch (e) { return null; }
  }

  function announce(text) {
    var box = document.getElementById("announcer");
    if (!box || !text) return;
    box.textContent = "";
    setTimeout(function () { box.textContent = text; }, 50);
  }

  function update(el) {
    var state = seen.get(el);
    if (!state) {
      var server = parse(el.getAttribute("data-server-now"));
      state = { offset: server === null ? 0 : server - Date.now(), over: null };
      seen.set(el, state);
    }
    var ends = parse(el.getAttribute("data-ends-at"));
    if (ends === null) return; // paused or idle: the server's text stands
    var left = ends - (Date.now() + state.offset);
    var clock = el.querySelector("[data-clock]");
    var text = clockText(left);
    if (clock && clock.textContent !== text) clock.textContent = text;
    var local = el.querySelector("[data-local-time]");
    if (local && !local.hasAttribute("data-localized")) {
      var shown = localTime(ends - state.offset); // the end on this device's clock face
      if (shown) local.textContent = shown;
      local.setAttribute("data-localized", "1");
    }
    var over = left <= 0;
    if (over && state.over !== true) {
      var already = state.over === null; // over before this screen saw it: no announcement
      state.over = true;
      el.classList.add("is-over");
      var status = el.querySelector("[data-status]");
      var words = el.getAttribute("data-msg-done");
      if (status && words) status.textContent = words;
      if (!already && el.hasAttribute("data-announce")) announce(words);
    } else if (!over) {
      state.over = false;
    }
  }

  function tick() {
    var els = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < els.length; i++) update(els[i]);
  }

  tick();
  setInterval(tick, 250);
  // A pushed or refetched timer starts counting at once, with the offset of its own rendering.
  if (window.MutationObserver) new MutationObserver(tick).observe(document.body, { childList: true, subtree: true });

  document.addEventListener("cowork:event", function (e) {
    var event = e.detail || {};
    var box = document.getElementById("capacity-warning");
    if (!box || event.type !== "participant.joined" || !event.data || typeof event.data.present !== "number") return;
    var present = box.querySelector("[data-capacity-present]");
    if (present) present.textContent = String(event.data.present);
    box.hidden = event.data.present <= parseInt(box.getAttribute("data-capacity-limit"), 10);
  });
})();
/* --- end of timers --- */
