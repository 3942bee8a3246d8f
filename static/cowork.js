/* cowork live glue: follow the workshop's session record over socket.io and apply the pushed swaps;
 * keep typed text and unsent cards across drops and reloads. Pages work without this script. */
(function () {
  "use strict";

  var body = document.body;
  // A page that came as the answer to a form (the join's POST) takes its own address first, before anything
  // below keys its storage by the address: a reload then asks for the page, never sends the form again.
  var pageUrl = body.getAttribute("data-page-url");
  if (pageUrl && location.pathname !== pageUrl && window.history && history.replaceState) {
    history.replaceState(null, "", pageUrl);
  }
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

  // kind: true for a refusal, "waiting" for something kept in the outbox, false for done.
  function say(form, text, kind) {
    var box = form.querySelector(".form-message");
    if (!box) return;
    box.textContent = "";
    var span = document.createElement("span");
    span.className = kind === "waiting" ? "waiting" : kind ? "message-error" : "ok";
    span.textContent = text;
    box.appendChild(span);
  }

  // A live form (cards, answers) is answered with JSON; a page form (votes, ratings) with the page again.
  // A post that hangs (a proxy holding the line) is given up after 20 s and counts as a network error.
  function post(item) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 20000) : null;
    var sent = fetch(item.action, {
      method: "POST",
      body: new URLSearchParams(item.fields),
      headers: item.page ? { "Accept": "text/html" } : { "X-Cowork-Fetch": "1", "Accept": "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    });
    return sent.then(function (response) { clearTimeout(timer); return response; },
      function (error) { clearTimeout(timer); throw error; });
  }

  // Not taken yet, but the same item may come again: the server or a proxy in front of it is down or busy
  // (5xx), the request took too long (408), came too early (425) or too often (429).
  function worthRetrying(status) {
    return status >= 500 || status === 408 || status === 425 || status === 429;
  }

  // Refused for a reason in the item itself (malformed, conflicting, too large, invalid): it would be
  // refused again, so it leaves the outbox and the person sees why. Any other answer keeps it (a 404 or 403
  // may be a proxy's page while cowork restarts).
  function refusedForGood(status) {
    return status === 400 || status === 409 || status === 413 || status === 422;
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
    body.setAttribute("data-waiting", String(items.length));
  }

  function unqueue(item) {
    saveOutbox(outbox().filter(function (other) { return other.fields.client_id !== item.fields.client_id; }));
  }

  // The form an item came from, if this page shows it: by its id, else the form that posts to the same place.
  function formOf(item) {
    var form = item.form ? document.getElementById(item.form) : null;
    if (form) return form;
    var forms = document.querySelectorAll("form[data-live-form], form[data-outbox]");
    for (var i = 0; i < forms.length; i++) if (forms[i].action === item.action) return forms[i];
    return null;
  }

  // "Waiting to send (N)" in each form that has something in the outbox, after a try that was not taken.
  function showWaiting() {
    var items = outbox();
    if (items.length) body.setAttribute("data-waiting", String(items.length));
    else body.removeAttribute("data-waiting");
    var count = items.length;
    for (var i = 0; i < items.length; i++) {
      var form = formOf(items[i]);
      if (form) say(form, body.getAttribute("data-msg-waiting") + " (" + count + ")", "waiting");
    }
  }

  // The server's sentence for a refusal: JSON's detail, or the message of the page it answered with.
  function reasonOf(response) {
    return response.text().then(function (text) {
      var detail = null;
      try { detail = JSON.parse(text).detail; } catch (e) {
        return reasonIn(window.DOMParser ? new DOMParser().parseFromString(text, "text/html") : null);
      }
      return typeof detail === "string" && detail ? detail : body.getAttribute("data-msg-unreadable");
    }, function () { return body.getAttribute("data-msg-unreadable"); });
  }

  function reasonIn(page) {
    var detail = null;
    var places = [".message-error", "main p", "h1", "p", "title", "body"]; // ours first, then a proxy's
    for (var i = 0; page && !detail && i < places.length; i++) {
      var box = page.querySelector(places[i]);
      detail = box ? box.textContent.replace(/\s+/g, " ").trim() : null;
    }
    return detail || body.getAttribute("data-msg-unreadable");
  }

  // An item refused for good: say why in its form, and give the text back for editing if the box is empty.
  function refused(item, response) {
    return reasonOf(response).then(function (reason) {
      var form = formOf(item);
      if (!form) {
        if (announcer) announcer.textContent = reason;
        return;
      }
      say(form, reason, true);
      var textField = form.querySelector("[data-draft]");
      if (textField && !textField.value && item.fields[textField.name]) textField.value = item.fields[textField.name];
    });
  }

  var flushing = false;
  var delivered = false; // a page form went out from the outbox: reload to show what was stored
  var failures = 0; // tries in a row that were not taken: the wait before the next one doubles
  var retryTimer = null;

  // Exponential backoff with jitter, from 1 s to about 30 s, never sooner than the server's Retry-After.
  function retryLater(response) {
    if (!response && navigator.onLine === false) return; // the "online" event sends it
    failures += 1;
    var wait = Math.min(30000, 1000 * Math.pow(2, failures - 1));
    wait = wait / 2 + Math.random() * wait / 2;
    var after = response ? parseFloat(response.headers.get("Retry-After")) : NaN;
    if (after > 0) wait = Math.max(wait, Math.min(after, 300) * 1000);
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { retryTimer = null; flushOutbox(); }, wait);
  }

  function flushOutbox() {
    if (flushing) return;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; } // back online: try now
    if (!outbox().length) {
      body.removeAttribute("data-waiting");
      if (delivered) location.reload();
      return;
    }
    flushing = true;
    sendFrom(0);
  }

  // One round over the outbox, in order. A busy server (5xx, 408, 425, 429, no answer) ends the round; an item
  // answered otherwise without being taken (401, 403, 404 ...) stays, and the ones behind it still go.
  function sendFrom(index) {
    var items = outbox();
    if (index >= items.length) {
      flushing = false;
      if (!items.length) flushOutbox();
      else { showWaiting(); retryLater(null); }
      return;
    }
    var item = items[index];
    post(item).then(function (response) {
      if (worthRetrying(response.status)) {
        flushing = false;
        showWaiting();
        retryLater(response); // it stays; sent again with its client_id, so it is stored once
        return;
      }
      if (!response.ok && !refusedForGood(response.status)) {
        sendFrom(index + 1);
        return;
      }
      failures = 0;
      unqueue(item);
      if (response.ok) {
        if (item.page) delivered = true;
        else if (formOf(item)) say(formOf(item), body.getAttribute("data-msg-sent"), false);
        sendFrom(index);
        return;
      }
      refused(item, response).then(function () { sendFrom(index); });
    }, function () {
      flushing = false;
      showWaiting();
      retryLater(null);
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-live-form") || !window.fetch) return;
    e.preventDefault();
    var item = { action: form.action, fields: fieldsOf(form, null), form: form.id || null };
    var textField = form.querySelector("[data-draft]");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    form.setAttribute("aria-busy", "true"); // being sent: said to screen readers, shown by the button

    function settled() {
      if (button) button.disabled = false;
      form.removeAttribute("aria-busy");
    }

    function clear() {
      form.reset();
      if (textField) store(draftKey(textField), null);
      form.querySelector("[name=client_id]").value = randomId();
    }

    function keep(message, response) {
      queue(item);
      clear();
      say(form, body.getAttribute(message), "waiting");
      retryLater(response);
    }

    post(item).then(function (response) {
      settled();
      if (response.ok) {
        clear();
        say(form, body.getAttribute("data-msg-sent"), false);
        return;
      }
      // Busy, or not cowork's answer at all (a proxy's 404 page while it restarts): the outbox sends it again.
      var ours = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
      if (worthRetrying(response.status) || (!ours && !refusedForGood(response.status))) {
        keep("data-msg-held", response);
        return;
      }
      return reasonOf(response).then(function (reason) { say(form, reason, true); });
    }, function () {
      settled();
      keep("data-msg-queued", null);
    });
  });

  // --- page forms (votes, ratings, stakeholders): their answer is the page again, whose <main> replaces
  // this one; a form sent during a drop waits in the outbox like a card and goes out once.
  function showPage(page, form, submitter, keepSent) {
    var fresh = page.querySelector("main");
    var main = document.querySelector("main");
    if (!fresh || !main) {
      location.reload();
      return;
    }
    carryChoices(main, fresh, keepSent ? null : form);
    main.parentNode.replaceChild(fresh, main);
    restoreDrafts(fresh);
    countAllDots(fresh);
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

  // What the person has chosen in the page's other forms and not sent yet (a rating half made when another
  // form's answer arrives) stays chosen in the page that replaces this one, and what they unfolded stays open.
  function carryChoices(main, fresh, sent) {
    var open = main.querySelectorAll("details[open][id]");
    for (var k = 0; k < open.length; k++) {
      var again = open[k].contains(sent) ? null : fresh.querySelector("details[id='" + open[k].id + "']");
      if (again) again.open = true;
    }
    var twins = formsByKey(fresh);
    var forms = main.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var twin = twins[formKey(forms[i])];
      if (forms[i] === sent || !twin) continue;
      var fields = forms[i].elements;
      for (var j = 0; j < fields.length; j++) {
        var field = fields[j];
        if (!field.name || !/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName) || field.hasAttribute("data-draft")) continue;
        if (/^(hidden|file|submit|button|reset|image)$/.test(field.type)) continue;
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.checked === field.defaultChecked) continue;
          var box = twin.querySelector("[name='" + field.name + "'][value='" + field.value + "']");
          if (box) box.checked = field.checked;
        } else if (field.tagName === "SELECT" ? !selectedByDefault(field) : field.value !== field.defaultValue) {
          var other = twin.querySelector("[name='" + field.name + "']");
          if (other) other.value = field.value;
        }
      }
    }
  }

  // A form is known by its id, else by where it posts when no other form of the page posts there.
  function formKey(form) { return form.id ? "#" + form.id : "@" + form.getAttribute("action"); }

  function formsByKey(root) {
    var found = {};
    var forms = root.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var key = formKey(forms[i]);
      found[key] = found.hasOwnProperty(key) ? null : forms[i];
    }
    return found;
  }

  function selectedByDefault(select) {
    var option = select.options[select.selectedIndex];
    return !option || option.defaultSelected || (select.selectedIndex === 0 && !select.querySelector("[selected]"));
  }

  // Browsers before SubmitEvent.submitter (Safari < 15.4) still say which +/- button was pressed.
  var clicked = null;
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest ? e.target.closest("button[type=submit]") : null;
    clicked = button && button.form ? button : null;
  }, true);

  // A page form whose answer is awaited says so (aria-busy), also in a page an earlier answer brought while
  // this one is still out: a screen reader hears that it is being sent, and its button shows it (cowork.css).
  var awaited = {}; // a form's key -> how many of its posts are still unanswered

  function markBusy() {
    var forms = document.querySelectorAll("form[data-outbox]");
    for (var i = 0; i < forms.length; i++) {
      if (awaited[formKey(forms[i])]) forms[i].setAttribute("aria-busy", "true");
      else forms[i].removeAttribute("aria-busy");
    }
  }

  // A dot's +/- moves its number on the page at once, and the form's next press is a change of its own (a new
  // client_id): a second tap before the first answer came puts a second dot, not the first one again (both
  // posts said "0, one more", the second with the first one's client_id).
  function stepAhead(form, submitter) {
    var adjust = submitter && submitter.name === "adjust" ? String(submitter.value) : "";
    var field = adjust ? form.querySelector("[name='choice-" + adjust.slice(1) + "']") : null;
    if (!field) return;
    var now = parseInt(field.value, 10) || 0;
    field.value = String(Math.max(0, now + (adjust.charAt(0) === "+" ? 1 : -1)));
    var id = form.querySelector("[name=client_id]");
    if (id) id.value = randomId();
    countDots(form);
  }

  // "Dots used: N of M" and which +/- can still be pressed follow the numbers as they stand on the page (moved
  // by a tap, typed, or kept from a press whose answer is still out), not only the server's last answer.
  function countDots(form) {
    var left = form.querySelector(".dots-left[data-budget]"), shown = left && left.querySelector(".dots-used");
    if (!shown) return;
    var budget = parseInt(left.getAttribute("data-budget"), 10), most = parseInt(left.getAttribute("data-max"), 10);
    var fields = form.querySelectorAll(".dots-input"), used = 0, i;
    for (i = 0; i < fields.length; i++) used += Math.max(0, parseInt(fields[i].value, 10) || 0);
    shown.textContent = String(used);
    var drawn = left.querySelectorAll(".dot");
    for (i = 0; i < drawn.length; i++) drawn[i].className = i < used ? "dot used" : "dot";
    for (i = 0; i < fields.length; i++) {
      var value = parseInt(fields[i].value, 10) || 0, option = fields[i].name.slice("choice-".length);
      var less = form.querySelector("button[name=adjust][value='-" + option + "']");
      var more = form.querySelector("button[name=adjust][value='+" + option + "']");
      if (less) less.disabled = value <= 0;
      if (more) more.disabled = value >= most || used >= budget;
    }
  }

  function countAllDots(root) {
    var ballots = root.querySelectorAll("form.ballot");
    for (var i = 0; i < ballots.length; i++) countDots(ballots[i]);
  }

  document.addEventListener("input", function (e) {
    var field = e.target;
    if (field && field.classList && field.classList.contains("dots-input") && field.form) countDots(field.form);
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-outbox") || !window.fetch || !window.DOMParser) return;
    e.preventDefault();
    var submitter = e.submitter || (clicked && clicked.form === form ? clicked : null);
    var item = { action: form.action, fields: fieldsOf(form, submitter), page: true, form: form.id || null };
    var key = formKey(form);
    awaited[key] = (awaited[key] || 0) + 1;
    markBusy();
    stepAhead(form, submitter);

    // Answered (its page is shown, or why not), kept in the outbox, or failed: no longer awaited.
    function settled() {
      awaited[key] -= 1;
      if (!awaited[key]) delete awaited[key];
      markBusy();
    }

    // The next press of this form is another change: it must not carry the held one's client_id.
    function keep(message, response) {
      queue(item);
      var id = form.querySelector("[name=client_id]");
      if (id) id.value = randomId();
      say(form, body.getAttribute(message), "waiting");
      retryLater(response);
    }

    post(item).then(function (response) {
      if (worthRetrying(response.status)) {
        keep("data-msg-held", response);
        return;
      }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        if (response.ok || page.querySelector("main")) {
          // cowork's page: what was stored, or why not. While a later press of this form is still out, the
          // page keeps what the person chose meanwhile (that press's answer brings it stored).
          showPage(page, form, submitter, awaited[key] > 1);
        } else if (refusedForGood(response.status)) {
          say(form, reasonIn(page), true);
        } else {
          keep("data-msg-held", response); // a proxy's page (a 404 while cowork restarts): send it again
        }
      }, function () { keep("data-msg-queued", null); }); // the answer broke off: as if none had come
    }, function () { keep("data-msg-queued", null); }).then(settled, function (error) {
      settled();
      throw error;
    });
  });

  // A pushed card's edit box comes empty (the text would be in the push three times): fill it when opened.
  document.addEventListener("toggle", function (e) {
    var box = e.target.open && e.target.querySelector ? e.target.querySelector("textarea[data-fill-from]") : null;
    var source = box && !box.value ? document.getElementById(box.getAttribute("data-fill-from")) : null;
    if (source) box.value = source.textContent.replace(/\u00ad/g, ""); // the card's text, without its soft hyphens
  }, true);

  // htmx replaced the Suggest panel under the keyboard's focus (opened, closed, or drawn again after an
  // accept): the focus goes to its [data-swap-focus] (the open panel's heading, the closed panel's button), so
  // the next Tab goes on from there instead of from the top of the page. Other swaps leave the focus alone.
  var focusInSuggest = false;
  document.addEventListener("htmx:before:swap", function () {
    var el = document.activeElement;
    focusInSuggest = !!(el && el.closest && el.closest(".suggest"));
  });
  document.addEventListener("htmx:after:swap", function () {
    if (!focusInSuggest) return;
    focusInSuggest = false;
    var to = document.querySelector(".suggest [data-swap-focus]");
    if (to && (!document.activeElement || document.activeElement === body)) to.focus();
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

  // Every page load connects anew, mostly within a moment: a phone shows nothing for the first two seconds
  // (no notice flickering on each page), then, if still connecting, the bar that offline shows (cowork.css).
  if (indicator) setTimeout(function () { indicator.setAttribute("data-late", ""); }, 2000);

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
      // A facilitator in the middle of the agenda editor keeps what is unfolded and where the keyboard is.
      var open = [].map.call(el.querySelectorAll("details[open][id]"), function (d) { return d.id; });
      var focused = el.contains(document.activeElement) ? document.activeElement.id : "";
      growBars(el, html);
      open.forEach(function (id) {
        var again = document.getElementById(id);
        if (again) again.open = true;
      });
      var refocus = focused && document.getElementById(focused);
      if (refocus) refocus.focus();
      restoreDrafts(el);
      activate(el);
    });
  }

  // A vote's bars, drawn again after a ballot, grow from where they were (a CSS transition on the
  // rectangles' width, none where the reader asks for reduced motion).
  function growBars(el, html) {
    var before = {};
    var rects = el.querySelectorAll(".bar rect[id]");
    for (var i = 0; i < rects.length; i++) {
      before[rects[i].id] = [rects[i].getAttribute("x"), rects[i].getAttribute("width")];
    }
    el.innerHTML = html;
    var grown = [];
    rects = el.querySelectorAll(".bar rect[id]");
    for (var j = 0; j < rects.length; j++) {
      var was = before[rects[j].id];
      if (!was) continue;
      grown.push(rects[j]);
      rects[j].style.x = (was[0] || "0") + "px";
      rects[j].style.width = (was[1] || "0") + "px";
    }
    if (!grown.length) return;
    el.getBoundingClientRect(); // the old widths are laid out, so the change to the new ones transitions
    for (var k = 0; k < grown.length; k++) {
      grown[k].style.x = (grown[k].getAttribute("x") || "0") + "px";
      grown[k].style.width = (grown[k].getAttribute("width") || "0") + "px";
    }
  }

  function applySwap(swap) {
    if (swap.op === "refresh") {
      location.reload(); // too large to push: the page shows it (drafts and the outbox live in localStorage)
      return;
    }
    var el = document.querySelector(swap.target);
    if (!el) return;
    if (swap.op === "append") {
      // The page a form's answer brought may already hold it (the push came after): never twice.
      var id = /^\s*<[^>]*\sid="([^"]+)"/.exec(swap.html);
      if (id && document.getElementById(id[1])) return;
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
    } else if (swap.op === "attr") {
      el.setAttribute(swap.name, swap.value); // the projector's theme and join code, switched from the console
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
    // After a server restart every phone tries again within 2.5 s of it answering (socket.io-client waits up
    // to 5 s by default); the first waits' ±50 % jitter spreads a room's tries, so it does not come back at once.
    reconnectionDelayMax: 2500,
    auth: function (cb) {
      var auth = { workshop_id: parseInt(workshopId, 10), since: lastSeq };
      var token = body.getAttribute("data-token");
      if (token) auth.token = token;
      cb(auth);
    }
  });

  // Ask for the events after lastSeq. An answer that does not come (a worker restarting) or says the server
  // cannot read now is asked again after a few seconds: a screen never stays behind the record.
  var syncing = false;
  function sync() {
    if (syncing) return;
    syncing = true;
    var asking = socket.timeout ? socket.timeout(10000) : socket;
    asking.emit("sync", { since: lastSeq }, function (err, answer) {
      if (!socket.timeout) answer = err;
      syncing = false;
      if ((socket.timeout && err) || !answer || answer.error) {
        setTimeout(sync, 3000);
        return;
      }
      (answer.events || []).forEach(apply);
      if (answer.complete === false) sync();
    });
  }

  // The server lost its broker for a while (Redis): pushes from other workers may be missing without a gap
  // to show it. Every screen asks at once otherwise, so each waits a moment of its own first.
  socket.on("resync", function () { setTimeout(sync, Math.random() * 1000); });

  socket.on("connect", function () { setState("online"); flushOutbox(); });
  socket.on("disconnect", function () { setState("offline"); });
  // A refusal the server marks `retry` (it cannot read its store now) ends this socket's own reconnecting:
  // connect again after a few seconds, so the screen catches up once the store is back.
  socket.on("connect_error", function (err) {
    setState("offline");
    if (!socket.active && err && err.data && err.data.retry) setTimeout(function () { socket.connect(); }, 2000 + Math.random() * 2000);
  });
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

/* --- projector fit --- */
/* The fitted projector (body.projector-fit) never scrolls. Its board flows into as many columns as it
 * needs; what does not fit one screen goes on to the right, and this shows it a page (one board width) at
 * a time, turning every data-page-seconds (on the body), with "Page 2 of 3" in the pager. Each card gets data-page, so
 * what is on screen can be told. Live cards change the density (data-density-steps: "4:xl 12:l *:s"). */
(function () {
  "use strict";
  if (!document.body || !document.body.classList.contains("projector-fit")) return;
  var DENSITIES = ["xl", "l", "m", "s"]; // largest type first, as in cowork.css
  var page = 0;
  var timer = null;
  var pending = null;

  function boardOf() { return document.querySelector("#stage .board"); }

  function densityFor(board, count) {
    var steps = (board.getAttribute("data-density-steps") || "").split(" ");
    for (var i = 0; i < steps.length; i++) {
      var pair = steps[i].split(":");
      if (pair.length === 2 && (pair[0] === "*" || count <= parseInt(pair[0], 10))) return pair[1];
    }
    return board.getAttribute("data-density");
  }

  function items(board) {
    return board.querySelectorAll(".column > .cards > .card:not([hidden]), .column > .cards > .cluster:not([hidden])");
  }

  function gapOf(board) { return parseFloat(window.getComputedStyle(board).columnGap) || 0; }

  // Overflowing columns continue to the right at the same pitch: a page is one board width plus a gap.
  function countPages(board) {
    var gap = gapOf(board);
    var pitch = board.clientWidth + gap;
    return pitch > 0 ? Math.max(1, Math.ceil((board.scrollWidth + gap) / pitch - 0.01)) : 1;
  }

  function say(pager, at, pages) {
    var text = (pager.getAttribute("data-msg") || "{page} / {pages}")
      .replace("{page}", String(at + 1)).replace("{pages}", String(pages));
    if (pager.textContent !== text) pager.textContent = text; // unchanged text: no mutation, no refit
  }

  // A stage without a board (an evaluation's results, a long text) cannot page: its type gets smaller
  // (CSS zoom on the body's parts, rem sizes too) until it fits, never under half, never a scroll region.
  function fitBody() {
    var body = document.querySelector("#stage .stage-body");
    if (!body) return;
    var parts = [];
    for (var i = 0; i < body.children.length; i++) {
      // The agenda's status line keeps its size: it is the same line on every stage (a timer's bar holds it).
      var kind = body.children[i].classList;
      if (!kind.contains("agenda-status") && !kind.contains("programme-bar")) parts.push(body.children[i]);
    }
    function zoomTo(zoom) {
      for (var j = 0; j < parts.length; j++) parts[j].style.zoom = zoom === 1 ? "" : String(zoom);
      // across too: a wide table (a matrix of many stakeholders) would be cut at the screen's edge
      return body.scrollHeight <= body.clientHeight + 1 && body.scrollWidth <= body.clientWidth + 1;
    }
    if (zoomTo(1)) return;
    // Columns reflow as the type shrinks, so the largest zoom that fits is searched for, not computed.
    var low = 0.5;
    var high = 1;
    for (var step = 0; step < 7; step++) {
      var mid = (low + high) / 2;
      if (zoomTo(mid)) low = mid;
      else high = mid;
    }
    zoomTo(low);
  }

  // The stage's room is what the layout leaves it (a head that wraps, a warning line): measured after
  // layout, and measured again whenever the body's box changes size.
  var sizes = window.ResizeObserver ? new window.ResizeObserver(later) : null;
  var watched = null;
  function watch() {
    var body = document.querySelector("#stage .stage-body");
    if (!sizes || !body || body === watched) return;
    if (watched) sizes.unobserve(watched);
    sizes.observe(body);
    watched = body;
  }

  // A card or cluster in the spotlight: the largest type that fits the screen, never under 24 px.
  function fitSpotlight(spot) {
    var high = parseFloat(window.getComputedStyle(spot).fontSize) || 24;
    spot.style.fontSize = "";
    high = parseFloat(window.getComputedStyle(spot).fontSize) || high;
    function fits(size) {
      spot.style.fontSize = size + "px";
      return spot.scrollHeight <= spot.clientHeight + 1 && spot.scrollWidth <= spot.clientWidth + 1;
    }
    if (fits(high)) return;
    var low = 24;
    for (var step = 0; step < 10 && high - low > 0.5; step++) {
      var mid = (low + high) / 2;
      if (fits(mid)) low = mid;
      else high = mid;
    }
    fits(low);
  }

  // A cluster taller than a column would be split across two: its own type gets smaller (never under
  // 20 px), and if it still does not fit it shows as its title and count, as on a crowded board.
  function splitClusters(board) {
    var clusters = board.querySelectorAll(".column > .cards > .cluster:not([hidden])");
    for (var i = 0; i < clusters.length; i++) {
      if (clusters[i].getClientRects().length > 1) return true;
    }
    return false;
  }

  // First wider columns (a cluster's cards then take fewer lines), if the board still fits one page;
  // then, cluster by cluster, smaller type, then the title and count.
  function fitClusters(board) {
    if (!splitClusters(board)) return;
    board.setAttribute("data-wide", "");
    if (countPages(board) > 1) board.removeAttribute("data-wide");
    if (!splitClusters(board)) return;
    var clusters = board.querySelectorAll(".column > .cards > .cluster:not([hidden])");
    for (var i = 0; i < clusters.length; i++) {
      var cluster = clusters[i];
      if (cluster.getClientRects().length > 1) cluster.setAttribute("data-fit", "small");
      if (cluster.getClientRects().length > 1) cluster.setAttribute("data-fit", "title");
    }
  }

  function fit() {
    pending = null;
    watch();
    var spot = document.querySelector("#stage .spotlight");
    if (spot) {
      fitSpotlight(spot);
      return;
    }
    var board = boardOf();
    if (!board) {
      fitBody();
      return;
    }
    var count = board.querySelectorAll(".card:not([hidden])").length;
    var density = densityFor(board, count);
    if (density && density !== board.getAttribute("data-density")) board.setAttribute("data-density", density);
    // Long cards on a small screen: smaller type (down to the smallest, 20 px) before a second page.
    var step = DENSITIES.indexOf(board.getAttribute("data-density"));
    var fitted = board.querySelectorAll(".cluster[data-fit]");
    for (var f = 0; f < fitted.length; f++) fitted[f].removeAttribute("data-fit");
    board.removeAttribute("data-wide");
    while (step >= 0 && step < DENSITIES.length - 1 && countPages(board) > 1) {
      step += 1;
      board.setAttribute("data-density", DENSITIES[step]);
    }
    fitClusters(board);
    var pager = document.getElementById(board.id.replace("board-", "pager-"));
    var pages = countPages(board);
    if (pager) {
      say(pager, page, pages);
      pager.hidden = pages < 2; // the pager takes a line from the board: count again
      pages = countPages(board);
      if (pages < 2) pager.hidden = true; // "Page 1 of 1" says nothing
    }
    if (page >= pages) page = 0;
    var pitch = board.clientWidth + gapOf(board);
    board.scrollLeft = page * pitch;
    var left = board.getBoundingClientRect().left - board.scrollLeft;
    var all = items(board);
    for (var i = 0; i < all.length; i++) {
      var on = Math.floor((all[i].getBoundingClientRect().left - left + 1) / pitch);
      all[i].setAttribute("data-page", String(Math.max(0, on) + 1));
    }
    if (pager) say(pager, page, pages);
    board.setAttribute("data-pages", String(pages));
    board.setAttribute("data-page", String(page + 1));
    if (pages < 2 && timer) {
      clearInterval(timer);
      timer = null;
    } else if (pages > 1 && !timer) {
      var seconds = parseFloat(document.body.getAttribute("data-page-seconds")) || 12;
      timer = setInterval(turn, seconds * 1000);
    }
  }

  function turn() {
    var board = boardOf();
    var pages = board ? parseInt(board.getAttribute("data-pages") || "1", 10) : 1;
    page = (page + 1) % pages;
    fit();
  }

  function later() { if (!pending) pending = setTimeout(fit, 50); }

  fit();
  window.addEventListener("resize", later);
  document.addEventListener("cowork:event", later);
  var stage = document.getElementById("stage");
  if (stage && window.MutationObserver) {
    // A new stage starts at page one; cards coming and going refit, so do new results and a matrix's new body;
    // a ticking timer does not.
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        var target = changes[i].target;
        if (target === stage) page = 0;
        if (target === stage || (target.closest && target.closest(".board, .eval-results, .word-cloud, .polls, .rm"))) later();
      }
    }).observe(stage, { childList: true, subtree: true });
  }
})();
/* --- end of projector fit --- */

/* --- the stakeholder map's names --- */
/* Each name goes beside its dot where it covers no other name, no dot and none of the map's own words:
 * right, left, above, below or at a corner of the dot first, then (once every name that fits beside its dot
 * has its place) the nearest place farther out with a thin line back to the dot, crossing as few names as
 * it can. A small greedy placement, run again whenever a marker moves or the screen is resized; the server
 * draws every name to the right or left of its dot as a starting point. On the projector and the console the
 * plot is as wide as its box, and a map still too crowded sets its names smaller, never under its least. */
(function () {
  var NS = "http://www.w3.org/2000/svg";

  function box(el, pad) {
    var r = el.getBoundingClientRect();
    pad = pad || 0;
    return { l: r.left - pad, r: r.right + pad, t: r.top - pad, b: r.bottom + pad };
  }

  function hits(a, b) { return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b; }

  // Whether the line from (x1, y1) to (x2, y2) passes through the box (clipped against each side in turn).
  // Asked thousands of times a placement: its two arrays are kept, not made anew each time.
  var sides = [0, 0, 0, 0], gaps = [0, 0, 0, 0];
  function cuts(x1, y1, x2, y2, b) {
    var t0 = 0, t1 = 1, dx = x2 - x1, dy = y2 - y1;
    sides[0] = -dx; sides[1] = dx; sides[2] = -dy; sides[3] = dy;
    gaps[0] = x1 - b.l; gaps[1] = b.r - x1; gaps[2] = y1 - b.t; gaps[3] = b.b - y1;
    for (var i = 0; i < 4; i++) {
      if (sides[i] === 0) { if (gaps[i] < 0) return false; continue; }
      var t = gaps[i] / sides[i];
      if (sides[i] < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
      else { if (t < t0) return false; if (t < t1) t1 = t; }
    }
    return true;
  }

  // The line from a dot to the nearest edge of its name's box.
  function leader(dot, c) {
    var cx = (dot.l + dot.r) / 2, cy = (dot.t + dot.b) / 2;
    return { x1: cx, y1: cy, x2: Math.max(c.l, Math.min(cx, c.r)), y2: Math.max(c.t, Math.min(cy, c.b)) };
  }

  // How many things a name in this place would cover; outside the drawing counts as too many.
  // What a place costs: a thing covered weighs COVER, a line crossing a name CROSS (a name far from its dot
  // counts the names its line would cross, and every name the lines drawn so far that would cross it).
  // With a `limit` (the cost of the best place found so far) it stops counting once it reaches it: that
  // place cannot be better, and how much worse does not matter.
  var COVER = 1000, CROSS = 3;
  function crossings(cand, taken, area, lines, line, limit) {
    if (cand.l < area.l || cand.r > area.r || cand.t < area.t || cand.b > area.b) return Infinity;
    var n = 0, i;
    for (i = 0; i < taken.length && !(n >= limit); i++) {
      if (hits(cand, taken[i])) n += COVER;
      if (line && taken[i].name && cuts(line.x1, line.y1, line.x2, line.y2, taken[i])) n += CROSS;
    }
    for (i = 0; i < lines.length && !(n >= limit); i++) {
      if (cuts(lines[i].x1, lines[i].y1, lines[i].x2, lines[i].y2, cand)) n += CROSS;
    }
    return n;
  }

  // The places to try: right, left, above and below the dot, its four corners; then anywhere in the drawing on a grid of half
  // a line, nearest to the dot first (a name there gets a thin line back to its dot).
  function candidates(dot, w, h, area, far) {
    var cx = (dot.l + dot.r) / 2, cy = (dot.t + dot.b) / 2, g = (dot.r - dot.l) / 2 + h * 0.25;
    var out = [
      { l: cx + g, t: cy - h / 2 }, { l: cx - g - w, t: cy - h / 2 },
      { l: cx - w / 2, t: cy - g - h }, { l: cx - w / 2, t: cy + g },
      { l: cx + g, t: cy - g - h }, { l: cx - g - w, t: cy - g - h },
      { l: cx + g, t: cy + g }, { l: cx - g - w, t: cy + g }
    ];
    if (!far) return out;
    // nearest by the line a reader follows back (dot to the name's nearest edge), not by the name's middle:
    // a long name just above its dot has a short line though its middle is far to one side
    // In rings half a line wide by that distance, nearest ring first (`near`: the ring's inner edge): cheaper
    // than sorting thousands of places, and the search still stops only where no place can be nearer.
    var rings = [], step = h / 2, k;
    for (var t = area.t; t + h <= area.b; t += step) {
      for (var l = area.l; l + w <= area.r; l += step) {
        var dx = Math.max(l - cx, 0, cx - l - w), dy = Math.max(t - cy, 0, cy - t - h), d = dx * dx + dy * dy;
        k = Math.floor(Math.sqrt(d) / step);
        (rings[k] || (rings[k] = [])).push({ l: l, t: t, far: true, d: d, near: k * step });
      }
    }
    for (k = 0; k < rings.length; k++) if (rings[k]) out.push.apply(out, rings[k]);
    return out;
  }

  // On the projector the drawing is as wide as the screen, and so is the plot: a room's map is wide, and a
  // wide plot spreads the dots apart so that each name finds a place beside its own dot. Whatever lies in or
  // right of the plot moves with it (its frame, the quadrants' names, the markers); left of it nothing moves.
  // The first coordinates are kept on each element (data-x-*) so that fitting again starts from them.
  var STRETCH = 0.75;  // the share of the added width that goes to the plot; the rest is room for names

  function stretchX(el, attr, map) {
    if (!el.hasAttribute(attr)) return;
    var keep = "data-x-" + attr;
    if (!el.hasAttribute(keep)) el.setAttribute(keep, el.getAttribute(attr));
    el.setAttribute(attr, map(parseFloat(el.getAttribute(keep))).toFixed(1));
  }

  function stretchPoints(el, map) {
    if (!el.hasAttribute("data-x-points")) el.setAttribute("data-x-points", el.getAttribute("points"));
    el.setAttribute("points", el.getAttribute("data-x-points").split(/\s+/).map(function (p) {
      var xy = p.split(",");
      return map(parseFloat(xy[0])).toFixed(1) + "," + xy[1];
    }).join(" "));
  }

  function widen(svg) {
    var drawn = svg.getAttribute("data-viewbox") || svg.getAttribute("viewBox");
    svg.setAttribute("data-viewbox", drawn);
    var v = drawn.split(/[\s,]+/).map(parseFloat), r = svg.getBoundingClientRect();
    var plot = svg.querySelector(".sh-plot");
    if (!r.width || !r.height || !plot) return;
    var width = Math.max(v[2], v[3] * r.width / r.height), extra = width - v[2];
    if (!plot.hasAttribute("data-x-width")) plot.setAttribute("data-x-width", plot.getAttribute("width"));
    var x0 = parseFloat(plot.getAttribute("x")), w = parseFloat(plot.getAttribute("data-x-width"));
    var wide = w + extra * STRETCH, k = wide / w;
    var at = function (x) { return x <= x0 ? x : x <= x0 + w ? x0 + (x - x0) * k : x + wide - w; };
    var scale = function (x) { return x * k; };
    plot.setAttribute("width", wide.toFixed(1));
    var all = svg.querySelectorAll("line, ellipse, circle, polygon, text, tspan");
    for (var i = 0; i < all.length; i++) {
      var el = all[i], map = at;
      if (el.getAttribute("class") === "sh-leader") continue;  // drawn afresh by the placement
      // a dot keeps its shape and a name its distance from its dot (data-cx: where the server drew the dot)
      var marker = el.closest(".sh-label, .sh-dot") && el.closest(".sh-marker");
      var dot = marker && marker.querySelector(".sh-dot");
      if (dot) {
        var moved = at(parseFloat(dot.getAttribute("data-cx"))) - parseFloat(dot.getAttribute("data-cx"));
        map = function (x) { return x + moved; };
      }
      if (el.tagName === "polygon") { stretchPoints(el, map); continue; }
      ["x", "x1", "x2", "cx"].forEach(function (a) { stretchX(el, a, map); });
      stretchX(el, "rx", scale);
    }
    svg.setAttribute("viewBox", [v[0] - extra * (1 - STRETCH) / 2, v[1], width, v[3]].join(" "));
  }

  // Each name where it covers nothing, else where it covers least; how many names covered something or went
  // farther from their dot than `reach` (a long line back is hard to follow: the names then step down too).
  // First every name that has a free place beside its dot; then the others, farther out with a line back, so
  // that a name far from home never takes the place beside another's dot.
  function placeNames(markers, dots, taken, area, ctm, reach, which) {
    var crowded = 0, lines = [], names = [], later = [], far = [], labels = [], i;
    // The last placement's lines and moves undone for all names first, then every name measured: a name
    // measured right after its own move was undone made the browser lay the drawing out again for each one
    // (at 30 names on a laptop, two thirds of a placement's time).
    for (i = 0; i < markers.length; i++) {
      var old = markers[i].querySelector(".sh-leader");
      if (old) old.parentNode.removeChild(old);
      labels.push(dots[i] ? markers[i].querySelector(which) : null);
      if (labels[i]) labels[i].removeAttribute("transform");
    }
    for (i = 0; i < markers.length; i++) {
      var label = labels[i];
      if (!label) continue;
      var start = box(label);
      // where the page drew it first (beside its dot, on the side its edge and its script call for), then
      // right, left, above, below, the four corners, then the nearest free place
      names.push({ i: i, label: label, start: start, w: start.r - start.l, h: start.b - start.t });
    }
    for (i = 0; i < names.length; i++) {
      var near = choose(names[i], false);
      if (near.fewest > 0) later.push(names[i]); else put(names[i], near);
    }
    // Then the others: at each turn the one whose nearest free place is farthest, before the others take the
    // places nearer to it.
    // A place only costs more as names and lines are added: a name whose best place costs what it did keeps it.
    for (i = 0; i < later.length; i++) later[i].best = choose(later[i], true);
    while (later.length) {
      var at = 0;
      for (i = 0; i < later.length; i++) {
        var next = later[i];
        if (next.best.fewest !== costOf(next, next.best.chosen)) next.best = choose(next, true);
        if (next.best.fewest > later[at].best.fewest) at = i;
      }
      var placed = later.splice(at, 1)[0];
      put(placed, placed.best);
      far.push(placed);
    }
    // Once all are placed, each far name in turn tries again among the others' final places: the names placed
    // after it may have left it a place nearer its dot.
    for (i = 0; i < far.length; i++) {
      var n = far[i], was = n.best;
      taken.splice(taken.indexOf(n.placed), 1);
      if (n.line) {
        lines.splice(lines.indexOf(n.seg), 1);
        n.line.parentNode.removeChild(n.line);
      }
      var again = choose(n, true);
      put(n, again.fewest < was.fewest ? again : was);
    }
    for (i = 0; i < names.length; i++) {
      var got = names[i].best;
      if (got.fewest >= COVER || (got.chosen.far && Math.sqrt(got.chosen.d) > reach)) crowded++;
    }
    return crowded;

    function choose(n, far) {
      var dot = dots[n.i], w = n.w, h = n.h, key = far ? "farOptions" : "nearOptions";
      // the places to try are the same at every turn of this placement: made and sorted once
      var options = n[key] || (n[key] = [{ l: n.start.l, t: n.start.t, drawn: true }].concat(candidates(dot, w, h, area, far)));
      // a free place beside the dot; else the best farther out, where a line of a name's height counts one,
      // a line crossed three and a thing covered a thousand: near and crossing one line beats far and clear
      var chosen = null, fewest = Infinity;
      for (var k = 0; k < options.length && fewest > 0; k++) {
        var c = options[k];
        if (c.far && c.near / h >= fewest) break;  // the rest are as far or farther
        var cost = costOf(n, c, fewest);
        if (cost < fewest) { fewest = cost; chosen = c; }
      }
      return { chosen: chosen, fewest: fewest };
    }

    // What place c costs name n (exactly, or, past `limit`, some cost at least as high).
    function costOf(n, c, limit) {
      var h = n.h, p = c.drawn ? 0 : h * 0.08;  // the page drew it clear of its own dot already
      var cand = { l: c.l - p, t: c.t - p, r: c.l + n.w + p, b: c.t + h + p }, away = c.far ? Math.sqrt(c.d) / h : 0;
      return crossings(cand, taken, area, lines, c.far && leader(dots[n.i], cand), limit - away) + away;
    }

    function put(n, best) {
      var dot = dots[n.i], w = n.w, h = n.h, chosen = best.chosen;
      n.best = best;
      n.seg = n.line = null;
      var dx = (chosen.l - n.start.l) / ctm.a, dy = (chosen.t - n.start.t) / ctm.d;
      if (dx || dy) n.label.setAttribute("transform", "translate(" + dx.toFixed(1) + " " + dy.toFixed(1) + ")");
      else n.label.removeAttribute("transform");
      var placed = n.placed = { l: chosen.l, t: chosen.t, r: chosen.l + w, b: chosen.t + h, name: true };
      taken.push(placed);
      if (chosen.far) {
        // a thin line from the dot to the nearest edge of its name, drawn under the name
        var seg = n.seg = leader(dot, placed), line = n.line = document.createElementNS(NS, "line");
        lines.push(seg);
        line.setAttribute("class", "sh-leader");
        line.setAttribute("x1", ((seg.x1 - ctm.e) / ctm.a).toFixed(1));
        line.setAttribute("y1", ((seg.y1 - ctm.f) / ctm.d).toFixed(1));
        line.setAttribute("x2", ((seg.x2 - ctm.e) / ctm.a).toFixed(1));
        line.setAttribute("y2", ((seg.y2 - ctm.f) / ctm.d).toFixed(1));
        markers[n.i].insertBefore(line, n.label);
      }
    }
  }

  // A fitted map too crowded for its names at full size sets them a step smaller, down to the least its
  // readers read (the projector's --proj-least, the console's --console-map-least), not one name over another.
  var STEP = 0.9, REACH = 0.1;  // REACH: the longest line back worth a smaller name, as a share of the plot

  // Where a map fits a box the page gives it (the projector's screen, the console's middle: --sh-fit in
  // cowork.css), its plot widens to the box and a crowded map's names step down to the drawing's font-size.
  function place(svg) {
    var fitted = getComputedStyle(svg).getPropertyValue("--sh-fit").trim() === "1";
    if (fitted) widen(svg);
    var ctm = svg.getScreenCTM();
    if (!ctm || !ctm.a) return;
    var vb = svg.viewBox.baseVal;
    var area = { l: ctm.e + vb.x * ctm.a, t: ctm.f + vb.y * ctm.d,
                 r: ctm.e + (vb.x + vb.width) * ctm.a, b: ctm.f + (vb.y + vb.height) * ctm.d };
    var markers = svg.querySelectorAll(".sh-marker");
    var fixed = [], dots = [], i;
    var words = svg.querySelectorAll(".sh-frame text");
    for (i = 0; i < words.length; i++) fixed.push(box(words[i], 2));
    for (i = 0; i < markers.length; i++) {
      var dot = markers[i].querySelector(".sh-dot");
      if (dot) { dots.push(box(dot)); fixed.push(box(dot, 3)); } else dots.push(null);
    }
    svg.style.removeProperty("--sh-label-scale");
    numbered(svg, markers, false);  // the names are measured first, as drawn
    var first = svg.querySelector(".sh-label");
    // the names' size as drawn, and the least the room reads (the drawing's own font-size, a design token)
    var size = first ? parseFloat(getComputedStyle(first).fontSize) * ctm.a : 0, scale = 1;
    var floor = fitted ? parseFloat(getComputedStyle(svg).fontSize) : Infinity;
    var plot = svg.querySelector(".sh-plot"), reach = plot ? (box(plot).r - box(plot).l) * REACH : Infinity;
    var crowded;
    while ((crowded = placeNames(markers, dots, fixed.slice(), area, ctm, reach, ".sh-label")) && size * scale * STEP >= floor) {
      scale *= STEP;
      svg.style.setProperty("--sh-label-scale", scale.toFixed(3));
    }
    // A phone's map (not fitted to a box, so its names cannot step down) too crowded for its names shows each
    // dot's number in the list under the map instead: numbers find a place beside their dots, names pile up.
    if (!fitted && crowded) {
      numbered(svg, markers, true);
      placeNames(markers, dots, fixed.slice(), area, ctm, reach, ".sh-num");
    }
  }

  // Names or numbers: each marker's number is its stakeholder's place in the list under the map (made once per
  // marker, changed only when it moved: the placement's own drawing must not look like a change of the map).
  function numbered(svg, markers, on) {
    var classes = (svg.getAttribute("class") || "").replace(/\s*\bsh-numbered\b/g, "");
    svg.setAttribute("class", on ? classes + " sh-numbered" : classes);
    if (!on) return;
    for (var i = 0; i < markers.length; i++) {
      var item = document.getElementById(markers[i].id.replace("sh-marker-", "sh-item-"));
      var label = markers[i].querySelector(".sh-label");
      if (!item || !label) continue;
      var n = String([].indexOf.call(item.parentNode.children, item) + 1);
      var num = markers[i].querySelector(".sh-num");
      if (!num) {
        num = document.createElementNS(NS, "text");
        num.setAttribute("class", "sh-num");
        num.setAttribute("x", label.getAttribute("x"));
        num.setAttribute("y", label.getAttribute("y"));
        num.setAttribute("text-anchor", label.getAttribute("text-anchor") || "start");
        markers[i].appendChild(num);
      }
      if (num.textContent !== n) num.textContent = n;
    }
  }

  function placeAll() {
    var maps = document.querySelectorAll(".sh-grid-svg");
    for (var i = 0; i < maps.length; i++) place(maps[i]);
  }

  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    var later = function () { pending = false; placeAll(); };
    if (window.requestAnimationFrame) window.requestAnimationFrame(later); else setTimeout(later, 16);
  }

  soon();
  // again once the fonts are in: a name's width, and so its place, depends on them
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(soon);
  window.addEventListener("load", soon);
  window.addEventListener("resize", soon);
  document.addEventListener("cowork:event", soon);
  // only the leader lines and the numbers this placement draws itself
  function ownLines(nodes) {
    for (var i = 0; i < nodes.length; i++) {
      var own = nodes[i].nodeType === 1 && /^sh-(leader|num)$/.test(nodes[i].getAttribute("class"));
      if (!own) return false;
    }
    return true;
  }
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        var t = changes[i].target;
        if (ownLines(changes[i].addedNodes) && ownLines(changes[i].removedNodes)) continue;
        if (t.nodeType === 1 && t.getAttribute("class") === "sh-num") continue;  // a number set anew
        if (t.nodeType === 1 && t.closest && (t.closest(".sh-grid-svg") || t.querySelector(".sh-grid-svg"))) {
          return soon();
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }
})();
/* --- end of the stakeholder map's names --- */

/* --- phone: read aloud, folded board --- */
/* On a phone, a "read aloud" button beside the stage's question and each card speaks it with the phone's
 * own voice (speechSynthesis) in the page's language; where the phone has no such voice there is no button.
 * The folded board's "See all cards (N)" counts the live cards. Without this script: no button, the count
 * of the page's loading. */
(function () {
  "use strict";
  var body = document.body;
  if (!body || !body.classList.contains("participant")) return;
  var stage = document.getElementById("stage");

  function countCards() {
    var counts = document.querySelectorAll("[data-card-count]");
    for (var i = 0; i < counts.length; i++) {
      var fold = counts[i];  // its fold (old phones have no Element.closest)
      while (fold && fold.nodeName !== "DETAILS") fold = fold.parentNode;
      if (!fold) continue;
      var n = fold.querySelectorAll(".board .card:not([hidden]):not(.card-pending)").length;
      if (counts[i].textContent !== String(n)) counts[i].textContent = String(n);
    }
  }

  var synth = window.speechSynthesis;
  var lang = (document.documentElement.lang || "en").toLowerCase();

  function hasVoice() {
    var voices = synth ? synth.getVoices() : [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().replace("_", "-").split("-")[0] === lang.split("-")[0]) return true;
    }
    return false;
  }

  function speak(text) {
    synth.cancel();
    var words = new window.SpeechSynthesisUtterance(text);
    words.lang = lang;
    synth.speak(words);
  }

  // Words as read: without the read-aloud button's own hidden label, spaces tidied.
  function words(el) {
    var copy = el.cloneNode(true), own = copy.querySelectorAll(".read-aloud, .visually-hidden[aria-hidden]");
    for (var i = 0; i < own.length; i++) own[i].parentNode.removeChild(own[i]);
    return copy.textContent.replace(/\u00ad/g, "").replace(/\s+/g, " ").trim();
  }

  // The choices under a question: the words of each answer's label, one after the other.
  function choices(box) {
    var labels = box ? box.querySelectorAll("label") : [], out = [];
    for (var i = 0; i < labels.length; i++) if (words(labels[i])) out.push(words(labels[i]));
    return out.length ? ". " + out.join(". ") : "";
  }

  // The stage's question is its title and, if there is one, its description; a question of a form (a
  // fieldset's legend, a vote's title) is read with its answers.
  function textOf(el) {
    if (el.tagName === "LEGEND") return words(el) + choices(el.parentNode);
    if (el.parentNode.classList.contains("poll")) return words(el) + choices(el.parentNode.querySelector("form"));
    if (!el.classList.contains("stage-title")) return words(el);
    var description = stage ? stage.querySelector(".stage-description") : null;
    return words(el) + (description ? ". " + words(description) : "");
  }

  function addButtons() {
    if (!synth || !window.SpeechSynthesisUtterance || !stage || !hasVoice()) return;
    var label = stage.getAttribute("data-msg-read-aloud") || "Read aloud";
    // [data-read-aloud]: a question asked by a label alone (the evaluation's open questions).
    var targets = stage.querySelectorAll(".stage-title, .card-text, fieldset > legend, .poll > h2, [data-read-aloud]");
    for (var i = 0; i < targets.length; i++) {
      var target = targets[i];
      var inside = target.tagName === "LEGEND";  // a legend must stay the first child of its fieldset
      var before = inside ? target.firstElementChild : target.previousElementSibling;
      if (before && before.className === "read-aloud") continue;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "read-aloud";
      button.innerHTML = '<span class="icon icon-read-aloud" aria-hidden="true"></span><span class="visually-hidden"></span>';
      button.lastChild.textContent = label;
      button.onclick = (function (el) { return function () { speak(textOf(el)); }; })(target);
      if (inside) target.insertBefore(button, target.firstChild);
      else target.parentNode.insertBefore(button, target);
    }
  }

  function refresh() {
    countCards();
    addButtons();
  }

  refresh();
  if (synth && synth.addEventListener) synth.addEventListener("voiceschanged", addButtons);
  document.addEventListener("cowork:event", refresh);
  if (stage && window.MutationObserver) new MutationObserver(refresh).observe(stage, { childList: true });
})();
/* --- end of phone --- */

/* --- the console's keys (issue 14) --- */
/* The frequent acts of a live run, one key each, listed in the dialog that "?" opens. A key never acts while
 * the focus is in a field (input, textarea, select, editable text), nor with Ctrl, Alt or Meta held, so
 * typing and the browser's own shortcuts stay untouched. Each key clicks the button that does the same. */
(function () {
  var body = document.body;
  if (!body.classList.contains("console-live")) return;
  var dialog = document.getElementById("shortcuts");

  function typing(el) {
    if (!el || el === body) return false;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].indexOf(el.type) < 0;
  }

  function click(selector) {
    var button = document.querySelector(selector);
    if (!button || button.disabled) return false;
    button.click();
    return true;
  }

  function selectedCards() {
    return Array.prototype.slice.call(document.querySelectorAll("#stage .card-select input:checked"));
  }

  // The cards a key acts on: every ticked card, or else the card the focus is in.
  function chosenCards() {
    var cards = selectedCards().map(function (box) { return box.closest(".card, .cluster"); });
    if (!cards.length && document.activeElement && document.activeElement.closest) {
      cards = [document.activeElement.closest("#stage .card, #stage .cluster")];
    }
    return cards;
  }

  // Hide: each chosen card through its own "Hide" button.
  function hideSelected() {
    var cards = chosenCards();
    var done = false;
    cards.forEach(function (card) {
      // its own tools, not those of a card inside it (a cluster holds cards with tools of their own)
      var hide = card && card.querySelector(":scope > .card-tools input[name=action][value=hide]");
      var button = hide && hide.form.querySelector("button[type=submit]");
      if (button) { button.click(); done = true; }
    });
    return done;
  }

  // Spotlight: the chosen card full screen on the projector through its own "Spotlight" button; with the
  // spotlight on and no other card chosen (or the one already in it), back to the board.
  function spotlightKey() {
    var view = document.querySelector("#stage .projector-controls");
    var shown = view ? view.getAttribute("data-spotlight") : "";
    var card = chosenCards()[0];
    if (card && card.id !== "card-" + shown) {
      var chosen = card.querySelector(":scope > .card-tools input[name=card_id]");
      var button = chosen && chosen.form.querySelector("button[type=submit]");
      if (button) { button.click(); return true; }
    }
    return shown ? click("#stage .projector-controls [data-spotlight-off]") : false;
  }

  function timerKey() {
    var timer = document.getElementById("timer");
    var state = timer ? (timer.className.match(/timer-(running|paused|idle|done)/) || [])[1] : "idle";
    var action = state === "running" ? "pause" : state === "paused" ? "resume" : "start";
    return click(".timer-controls button[value=" + action + "]");
  }

  function themeKey() {
    var pressed = document.querySelector("#screen-switch button[name=theme][aria-pressed=false]");
    if (!pressed) return false;
    pressed.click();
    return true;
  }

  function openHelp() {
    if (!dialog || dialog.open) return false;
    if (dialog.showModal) dialog.showModal();
    else dialog.setAttribute("open", "");
    var close = document.getElementById("shortcuts-close");
    if (close) close.focus();
    return true;
  }

  var acts = {
    n: function () { return click("#stage-next"); },
    p: function () { return click("#stage-previous"); },
    t: timerKey,
    h: hideSelected,
    m: function () { return click("#stage .selection-form button[value=merge]"); },
    s: spotlightKey,
    d: themeKey,
    "?": openHelp
  };

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    if (dialog && dialog.open) return; // the dialog has the keyboard (Escape closes it)
    if (typing(e.target)) return;
    var act = acts[e.key && e.key.length === 1 ? e.key.toLowerCase() : ""];
    if (act && act()) e.preventDefault();
  });

  // Escape puts away the word shown beside a card's act (cowork.css) without moving the focus; the next focus
  // or move of the pointer brings it back (WCAG 1.4.13: content on hover or focus can be dismissed).
  var root = document.documentElement;
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") root.classList.add("tips-off"); });
  var tipsBack = function () { root.classList.remove("tips-off"); };
  document.addEventListener("focusin", tipsBack);
  document.addEventListener("mousemove", tipsBack);

  // Escape closes the Suggest panel while the keyboard is in it (not while typing in one of its fields).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || e.defaultPrevented || (dialog && dialog.open) || typing(e.target)) return;
    var panel = e.target.closest ? e.target.closest(".suggest") : null;
    var close = panel && panel.querySelector("[data-suggest-close]");
    if (!close) return;
    e.preventDefault();
    close.click();
  });

  var opener = document.querySelector("[data-shortcuts-open]");
  if (opener && dialog) {
    opener.hidden = false;
    opener.addEventListener("click", openHelp);
  }

  // "Hide the selected cards" is a button only where this script runs (each card keeps its own "Hide").
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-hide-selected]")) hideSelected();
  });
  function showKeyButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-hide-selected]"), function (b) { b.hidden = false; });
  }

  // What the room sees: the projector's 1920 px drawn at the preview's width.
  function fitPreview() {
    Array.prototype.forEach.call(document.querySelectorAll(".screen-preview"), function (box) {
      box.style.setProperty("--preview-scale", String(box.clientWidth / 1920));
    });
  }
  window.addEventListener("resize", fitPreview);
  document.addEventListener("load", function (e) {
    if (e.target && e.target.tagName === "IFRAME") { fitPreview(); showKeyButtons(); }
  }, true);
  document.addEventListener("htmx:after:swap", showKeyButtons);
  fitPreview();
  showKeyButtons();
  // A long agenda: the rail shows the current stage (the rail scrolls, never the page).
  var current = document.querySelector(".console-rail [aria-current=step]");
  if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });

  // The count of cards waiting for approval follows the board as cards come and go.
  function countPending() {
    var note = document.getElementById("pending-count");
    if (!note) return;
    var n = document.querySelectorAll("#stage .board .card-pending").length;
    note.classList.toggle("has-pending", n > 0);
    note.textContent = n ? note.getAttribute("data-msg-some").replace("{count}", String(n)) : note.getAttribute("data-msg-none");
  }
  // Each group-work table's card count follows its cards as they come, go and move (the title's count).
  function countTables() {
    var counts = document.querySelectorAll("#stage [data-table-count]");
    for (var i = 0; i < counts.length; i++) {
      var table = counts[i].parentNode.parentNode; // span < h3 < section.breakout-table
      var n = table.querySelectorAll(".table-board .card").length;
      var text = counts[i].getAttribute(n === 1 ? "data-msg-one" : "data-msg-other").replace("{count}", String(n));
      if (counts[i].textContent !== text) counts[i].textContent = text;
    }
  }
  document.addEventListener("cowork:event", function () { countPending(); countTables(); showKeyButtons(); });
})();

/* --- "More…" menus (components.html: more_menu) --- */
/* A <details> opens and closes itself with Enter, Space and a click; as a menu it also closes with Escape
 * (the focus back on its button) and when the pointer or the keyboard goes elsewhere. */
(function () {
  "use strict";
  function menuOf(el) {
    while (el && el.nodeType === 1) {
      if (el.tagName === "DETAILS" && el.classList.contains("more-menu")) return el;
      el = el.parentNode;
    }
    return null;
  }
  function closeOthers(keep) {
    var open = document.querySelectorAll("details.more-menu[open]");
    for (var i = 0; i < open.length; i++) if (open[i] !== keep) open[i].open = false;
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var menu = menuOf(document.activeElement);
    if (!menu || !menu.open) return;
    menu.open = false;
    menu.querySelector("summary").focus();
    e.preventDefault();
  });
  document.addEventListener("click", function (e) { closeOthers(menuOf(e.target)); });
  document.addEventListener("focusin", function (e) { closeOthers(menuOf(e.target)); });
})();
