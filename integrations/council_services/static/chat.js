/* Front Door web chat (issue #6). Plain JavaScript, no libraries, nothing from elsewhere.
 *
 * - Talks only to this origin: POST /chat/messages and POST /chat/finish, and, while the
 *   resident has a case open with staff, GET /chat/updates every UPDATE_MS for the message
 *   that staff have resolved it (with their note), so it appears without the resident
 *   typing. The council services bind the conversation to this browser with an HttpOnly
 *   cookie; "Finish and clear" (and the idle clear) end it on the server too.
 * - Every piece of text from the assistant goes into the page with textContent (never
 *   HTML parsing); links become <a> only for http(s) addresses, and UK phone numbers
 *   become tel: links.
 * - The conversation lives only in sessionStorage (this tab). "Finish and clear" wipes it
 *   and starts a new conversation id; an idle conversation is wiped too, after a warning.
 *   Typing counts as activity, so the resident is never timed out while writing.
 * - Clearing sends "frontdoor:cleared" so that other parts of the page (the assisted
 *   session's staff panel) wipe what they show too.
 */
(function () {
  "use strict";

  var KEY = "frontdoor.chat";
  var UPDATES = "/chat/updates";
  var UPDATE_MS = 20000;
  var REFERENCE = /\b((?:FD|SR|HR)-[2-9A-HJ-NP-Z]{6})\b/g;
  var HANDOFF_REFERENCE = /\bFD-[2-9A-HJ-NP-Z]{6}\b/;
  var LINK = /\bhttps?:\/\/[^\s<>"']+/g;
  // A UK phone number as the assistant writes it ("01782 232200", "0800 328 5644"): a tel:
  // link, so a resident on a phone taps it to call (issue #16).
  var PHONE = /^0\d{2,4}(?: ?\d{3,4}){1,2}$/;
  var PIECES = /(\bhttps?:\/\/[^\s<>"']+|\b(?:FD|SR|HR)-[2-9A-HJ-NP-Z]{6}\b|\b0\d{2,4}(?: ?\d{3,4}){1,2}\b)/g;
  var MESSAGES = {
    unavailable: "Sorry, the assistant is not available right now. Your message was not " +
      "sent. Please try again in a few minutes.",
    failed: "Sorry, something went wrong and your message was not sent. Please try again.",
    cleared: "Your conversation has been cleared. You can start a new one.",
    expired: "Your earlier conversation was cleared because nothing happened for a while."
  };

  var root = document.getElementById("chat");
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var typing = document.getElementById("typing");
  var notice = document.getElementById("notice");
  var referenceBox = document.getElementById("reference");
  var referenceValue = document.getElementById("reference-value");
  var warning = document.getElementById("idle-warning");
  var warningLeft = document.getElementById("idle-left");
  // A library assisted session (issue #6): the staff console fixes the conversation id
  // and its signed token, and nothing is stored in the browser at all.
  var endpoint = root.getAttribute("data-endpoint") || "/chat/messages";
  var fixedId = root.getAttribute("data-conversation") || "";
  var assistToken = root.getAttribute("data-token") || "";
  var csrf = root.getAttribute("data-csrf") || "";
  var finishUrl = root.getAttribute("data-finish-url") || "";
  var finishNext = root.getAttribute("data-finish-next") || "/";
  var memoryOnly = !!fixedId;
  var idleMs = Math.max(2, Number(root.getAttribute("data-idle-minutes")) || 30) * 60000;
  var warnMs = Math.min(2 * 60000, idleMs / 2);
  var state = null;
  var busy = false;

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function freshState() {
    return { id: fixedId || newId(), messages: [], reference: "", lastActive: Date.now() };
  }

  function load() {
    if (memoryOnly) {
      return null;
    }
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      if (saved && typeof saved.id === "string" && Array.isArray(saved.messages)) {
        return saved;
      }
    } catch (e) {
      /* unreadable: start afresh */
    }
    return null;
  }

  function save() {
    // Nothing is written until the resident has said something, so a cleared or unused
    // chat leaves storage empty.
    if (state.messages.length && !memoryOnly) {
      window.sessionStorage.setItem(KEY, JSON.stringify(state));
    }
  }

  function say(text) {
    notice.textContent = "";
    // A fresh node so that the same sentence twice is announced twice.
    window.setTimeout(function () { notice.textContent = text; }, 50);
  }

  function appendText(parent, text) {
    // Split the text into plain runs, links and references, all as text nodes.
    var last = 0;
    text.replace(PIECES, function (match, piece, offset) {
      if (offset > last) {
        parent.appendChild(document.createTextNode(text.slice(last, offset)));
      }
      var link = match.match(LINK);
      var digits = match.replace(/ /g, "");
      if (PHONE.test(match) && (digits.length === 10 || digits.length === 11)) {
        var call = document.createElement("a");
        call.href = "tel:+44" + digits.slice(1);
        call.textContent = match;
        parent.appendChild(call);
      } else if (PHONE.test(match)) {
        parent.appendChild(document.createTextNode(match));
      } else if (link) {
        var href = match.replace(/[.,;:!?)\]]+$/, "");
        var url = null;
        try { url = new URL(href); } catch (e) { url = null; }
        if (url && (url.protocol === "https:" || url.protocol === "http:")) {
          var a = document.createElement("a");
          a.href = url.href;
          a.textContent = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          var hint = document.createElement("span");
          hint.className = "visually-hidden";
          hint.textContent = " (opens in a new tab)";
          a.appendChild(hint);
          parent.appendChild(a);
          parent.appendChild(document.createTextNode(match.slice(href.length)));
        } else {
          parent.appendChild(document.createTextNode(match));
        }
      } else {
        var strong = document.createElement("strong");
        strong.className = "ref";
        strong.textContent = match;
        parent.appendChild(strong);
      }
      last = offset + match.length;
      return match;
    });
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  function showReference(reference) {
    if (!reference) {
      referenceBox.hidden = true;
      referenceValue.textContent = "";
      return;
    }
    referenceValue.textContent = reference;
    referenceBox.hidden = false;
  }

  function removeChoices() {
    var groups = list.querySelectorAll(".choices");
    Array.prototype.forEach.call(groups, function (group) { group.remove(); });
  }

  function render(message, isLatest) {
    var item = document.createElement("div");
    item.className = "message message--" + (message.from === "user" ? "user" : "bot");
    item.setAttribute("dir", "auto");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = message.from === "user" ? "You said: " : "Assistant: ";
    item.appendChild(who);
    var body = document.createElement("p");
    body.className = "message-text";
    body.setAttribute("dir", "auto");
    appendText(body, message.text || "");
    item.appendChild(body);
    if (isLatest && message.buttons && message.buttons.length) {
      var group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Choices");
      message.buttons.forEach(function (button) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button button--choice";
        b.setAttribute("dir", "auto");
        b.textContent = button.title;
        b.addEventListener("click", function () { send(button.payload, button.title); });
        group.appendChild(b);
      });
      item.appendChild(group);
    }
    list.appendChild(item);
  }

  function renderAll() {
    // Choices are offered only by the replies after the resident's last message.
    var lastUser = -1;
    state.messages.forEach(function (message, i) {
      if (message.from === "user") { lastUser = i; }
    });
    list.textContent = "";
    state.messages.forEach(function (message, i) {
      render(message, i > lastUser);
    });
    showReference(state.reference);
  }

  function add(message) {
    state.messages.push(message);
    if (message.from === "bot") {
      var found = (message.text || "").match(HANDOFF_REFERENCE);
      if (found) {
        state.reference = found[0];
        showReference(state.reference);
      }
    }
    render(message, true);
    save();
  }

  function setBusy(value) {
    busy = value;
    typing.hidden = !value;
    sendButton.setAttribute("aria-disabled", value ? "true" : "false");
    list.setAttribute("aria-busy", value ? "true" : "false");
  }

  function send(text, shown) {
    text = (text || "").trim();
    if (!text || busy) {
      return;
    }
    touch();
    removeChoices();
    add({ from: "user", text: shown || text });
    setBusy(true);
    var request = new XMLHttpRequest();
    request.open("POST", endpoint);
    request.setRequestHeader("Content-Type", "application/json");
    if (csrf) {
      request.setRequestHeader("X-CSRF-Token", csrf);
    }
    request.timeout = 90000;
    request.onload = function () {
      setBusy(false);
      var body = null;
      try { body = JSON.parse(request.responseText); } catch (e) { body = null; }
      if (request.status === 200 && body && Array.isArray(body.replies)) {
        body.replies.forEach(function (reply) {
          add({ from: "bot", text: String(reply.text || ""), buttons: reply.buttons || [] });
        });
      } else if (body && body.restart && body.error) {
        // Not this browser's conversation, or it has ended: start a new one.
        clearAll(null);
        say(String(body.error));
      } else if (request.status === 400 && body && body.error) {
        say(String(body.error));
      } else {
        say(request.status === 503 ? MESSAGES.unavailable : MESSAGES.failed);
      }
      touch();
    };
    request.onerror = request.ontimeout = function () {
      setBusy(false);
      say(MESSAGES.unavailable);
    };
    var body = { conversation_id: state.id, message: text };
    if (assistToken) {
      body.assist_token = assistToken;
    }
    request.send(JSON.stringify(body));
  }

  function checkUpdates() {
    // Only the resident's own web chat (not an assisted session), only with a case open.
    if (fixedId || !state || !state.reference || busy || document.hidden) {
      return;
    }
    var url = UPDATES + "?conversation_id=" + encodeURIComponent(state.id);
    if (typeof state.updatesAfter === "number") {
      url += "&after=" + encodeURIComponent(String(state.updatesAfter));
    }
    var asked = state.id;
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.timeout = 15000;
    request.onload = function () {
      var body = null;
      try { body = JSON.parse(request.responseText); } catch (e) { body = null; }
      if (request.status !== 200 || !body || !Array.isArray(body.updates) || state.id !== asked) {
        return;
      }
      body.updates.forEach(function (update) {
        add({ from: "bot", text: String(update.text || ""), buttons: [] });
      });
      if (typeof body.cursor === "number") {
        state.updatesAfter = body.cursor;
        save();
      }
    };
    request.send();
  }

  function announceCleared() {
    // The assisted session's staff panel (assisted.js) wipes its list and bookings too.
    document.dispatchEvent(new CustomEvent("frontdoor:cleared"));
  }

  function post(url, body, done) {
    // Fire and forget; `done` runs whatever the answer (or none).
    var request = new XMLHttpRequest();
    var finished = false;
    function once() {
      if (!finished) {
        finished = true;
        if (done) { done(); }
      }
    }
    request.open("POST", url);
    request.setRequestHeader("Content-Type", "application/json");
    if (csrf) {
      request.setRequestHeader("X-CSRF-Token", csrf);
    }
    request.timeout = 10000;
    request.onload = request.onerror = request.ontimeout = once;
    request.send(JSON.stringify(body));
  }

  function endOnServer() {
    // The council services forget the conversation, the assistant forgets everything it
    // knew (a council tax check included), and the browser's chat cookie is dropped.
    if (state && state.messages.length && !memoryOnly) {
      post("/chat/finish", { conversation_id: state.id });
    }
  }

  function clearAll(reason) {
    if (reason) {
      endOnServer();
    }
    window.sessionStorage.clear();
    announceCleared();
    state = freshState();
    list.textContent = "";
    showReference("");
    warning.hidden = true;
    input.value = "";
    if (reason) {
      say(MESSAGES[reason]);
    }
  }

  function touch() {
    if (!state) {
      return;
    }
    state.lastActive = Date.now();
    warning.hidden = true;
    save();
  }

  function checkIdle() {
    if (!state.messages.length) {
      return;
    }
    var idle = Date.now() - (Number(state.lastActive) || 0);
    if (idle >= idleMs) {
      clearAll("expired");
    } else if (idle >= idleMs - warnMs) {
      var minutes = Math.max(1, Math.round((idleMs - idle) / 60000));
      warningLeft.textContent = minutes === 1 ? "1 minute" : minutes + " minutes";
      warning.hidden = false;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) {
      say("Type a message first.");
      input.focus();
      return;
    }
    if (busy) {
      return;
    }
    input.value = "";
    send(text);
    input.focus();
  });

  document.getElementById("finish").addEventListener("click", function () {
    if (finishUrl) {
      // Assisted session: sign the staff member out on the server, wipe the screen and
      // leave the page for the sign-in page.
      window.sessionStorage.clear();
      list.textContent = "";
      showReference("");
      announceCleared();
      post(finishUrl, {}, function () { window.location.replace(finishNext); });
      return;
    }
    clearAll("cleared");
    input.focus();
  });
  document.getElementById("keep").addEventListener("click", function () {
    touch();
    input.focus();
  });
  // Any activity, typing included, keeps the conversation.
  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (state && state.messages.length &&
          (!warning.hidden || Date.now() - state.lastActive > 10000)) {
        touch();
      }
    }, { passive: true });
  });

  state = load();
  if (state && Date.now() - (Number(state.lastActive) || 0) >= idleMs) {
    clearAll("expired");
  } else if (!state) {
    state = freshState();
  } else {
    renderAll();
    checkIdle();
  }
  window.setInterval(checkIdle, 15000);
  window.setInterval(checkUpdates, UPDATE_MS);
})();
