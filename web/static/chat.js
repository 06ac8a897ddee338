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
 * - On a phone (issue #18): after each reply the latest reply is scrolled into view and
 *   focus goes to its first button, or back to the message box (a textarea: Enter sends,
 *   Shift+Enter starts a new line). Every reference issued (the scheme of
 *   lib/references.py, given in the page) is highlighted and kept in the top box. A reply
 *   marked exit_page shows GOV.UK's "Exit this page". A reply's lang (and dir) follows the
 *   language it was given in, and the page's labels follow it (kb/web_chat/chrome.yml).
 * - In the chat widget's panel on a council's own page (issue #18, widget.js; the page is
 *   served with data-embed): Escape asks the widget to close the panel, the widget's
 *   "focus" moves focus to the message box (unless the resident has moved it out of the
 *   frame since), and "Exit this page" asks the widget to leave
 *   the council's page (it cannot be left from inside the frame).
 * - "Did that answer your question?" (issue #18): when the last reply of a turn of the
 *   resident's own chat comes marked ask_feedback (the assistant gave an information
 *   answer), the page shows Yes / No under it (added to the conversation's polite live
 *   region, focus left where it is). A press sends POST /chat/feedback and leaves a short thank-you in its
 *   place; the question is never shown twice for the same reply. A failed call is silent.
 */
(function () {
  "use strict";

  var KEY = "frontdoor.chat";
  var UPDATES = "/chat/updates";
  var UPDATE_MS = 20000;
  var FEEDBACK = "/chat/feedback";
  // What the server put in the page (resident_page.py): the reference scheme of
  // lib/references.py, the page's words per language, and where "Exit this page" goes.
  var DATA = JSON.parse(document.getElementById("chat-data").textContent || "{}");
  var SCHEME = DATA.references;
  var CHROME = (DATA.chrome && DATA.chrome.languages) || {};
  var RTL = (DATA.chrome && DATA.chrome.rtl) || ["ar", "ur", "pa-Arab"];
  var EXIT_URL = DATA.exit_url || "https://www.bbc.co.uk/weather";
  // Patterns (tests/unit/web/test_chat_phone_links.py runs this block).
  var REF_BODY = "(?:" + SCHEME.prefixes.join("|") + ")-[" + SCHEME.alphabet + "]{" +
    SCHEME.length + "}";
  var REFERENCE = new RegExp("^" + REF_BODY + "$");
  var REFERENCES = new RegExp("\\b" + REF_BODY + "\\b", "g");
  var LINK = /\bhttps?:\/\/[^\s<>"']+/g;
  // A UK phone number as the assistant writes it ("01782 232200", "0800 328 5644"): a tel:
  // link, so a resident on a phone taps it to call (issue #16).
  var PHONE = /^0\d{2,4}(?: ?\d{3,4}){1,2}$/;
  // The crisis lines' short numbers: 999 and the 116 helplines (Samaritans, 116 123).
  var SHORT_PHONE = /^(?:999|116 ?\d{3})$/;
  var PIECES = new RegExp("(\\bhttps?:\\/\\/[^\\s<>\"']+|\\b" + REF_BODY +
    "\\b|\\b0\\d{2,4}(?: ?\\d{3,4}){1,2}\\b|\\b(?:999|116 ?\\d{3})\\b)", "g");
  // End of patterns.
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
  var referenceList = document.getElementById("reference-list");
  var exitBar = document.getElementById("exit-bar");
  var exitLink = document.getElementById("exit-page");
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
  var embedded = document.body.hasAttribute("data-embed") && window.parent !== window;

  function tellWidget(what) {
    // Says nothing private: the widget's page may be on any of the council's sites.
    window.parent.postMessage({ frontdoor: what }, "*");
  }

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
    return {
      id: fixedId || newId(), messages: [], references: [], lang: "en", exitPage: false,
      lastActive: Date.now()
    };
  }

  function load() {
    if (memoryOnly) {
      return null;
    }
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      if (saved && typeof saved.id === "string" && Array.isArray(saved.messages)) {
        // A conversation saved before every reference was kept had only the latest.
        if (!Array.isArray(saved.references)) {
          saved.references = saved.reference ? [saved.reference] : [];
        }
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
      if ((PHONE.test(match) && (digits.length === 10 || digits.length === 11)) ||
          SHORT_PHONE.test(match)) {
        var call = document.createElement("a");
        call.href = SHORT_PHONE.test(match) ? "tel:" + digits : "tel:+44" + digits.slice(1);
        call.className = "tel";
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
      } else if (REFERENCE.test(match)) {
        var strong = document.createElement("strong");
        strong.className = "ref";
        strong.textContent = match;
        parent.appendChild(strong);
      } else {
        parent.appendChild(document.createTextNode(match));
      }
      last = offset + match.length;
      return match;
    });
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  function showReferences(references) {
    // Every reference issued in the conversation, oldest first: none is lost to a newer one.
    referenceList.textContent = "";
    (references || []).forEach(function (reference) {
      var item = document.createElement("li");
      item.textContent = reference;
      referenceList.appendChild(item);
    });
    referenceBox.hidden = !(references && references.length);
  }

  function openCase() {
    // A hand-off reference: staff have the case, and may resolve it while the page is open.
    return (state.references || []).some(function (r) { return r.slice(0, 3) === "FD-"; });
  }

  function words(lang) {
    return CHROME[lang] || CHROME[String(lang || "").split("-")[0]] || CHROME.en || {};
  }

  function isRtl(lang) {
    return RTL.indexOf(lang) !== -1;
  }

  function label(el, lang) {
    // One element's words (its data-chrome key) in the language of the conversation; a
    // translated label carries its own language (the rest of the page stays English).
    var text = words(lang)[el.getAttribute("data-chrome")];
    if (!text) { return; }
    var known = !!(CHROME[lang] || CHROME[String(lang || "").split("-")[0]]);
    el.textContent = text;
    if (known && lang !== "en") {
      el.setAttribute("lang", lang);
      el.setAttribute("dir", isRtl(lang) ? "rtl" : "ltr");
    } else {
      el.removeAttribute("lang");
      el.removeAttribute("dir");
    }
  }

  function applyChrome(lang) {
    // The page's labels and buttons in the language of the conversation (kb/web_chat).
    Array.prototype.forEach.call(document.querySelectorAll("[data-chrome]"), function (el) {
      label(el, lang);
    });
  }

  function showExit(show) {
    exitBar.hidden = !show;
  }

  function exitPage(event) {
    // GOV.UK "Exit this page": wipe the screen and this tab's copy, and replace this page
    // in the history so that Back does not return to it.
    if (event) { event.preventDefault(); }
    window.sessionStorage.clear();
    list.textContent = "";
    showReferences([]);
    document.title = "Loading";
    if (embedded) {
      tellWidget("exit");
      return;
    }
    window.location.replace(EXIT_URL);
  }

  function removeChoices() {
    // The reply's choices, and the feedback question under it, belong to that turn only.
    var groups = list.querySelectorAll(".choices, .feedback");
    Array.prototype.forEach.call(groups, function (group) { group.remove(); });
  }

  function render(message, isLatest) {
    var item = document.createElement("div");
    item.className = "message message--" + (message.from === "user" ? "user" : "bot");
    item.setAttribute("dir", "auto");
    if (message.from !== "user" && message.lang) {
      // The language the assistant answered in: screen readers speak it in that voice.
      item.setAttribute("lang", message.lang === "en" ? "en-GB" : message.lang);
      if (isRtl(message.lang)) { item.setAttribute("dir", "rtl"); }
    }
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = message.from === "user" ? "You said: " : "Assistant: ";
    item.appendChild(who);
    var body = document.createElement("p");
    body.className = "message-text";
    body.setAttribute("dir", item.getAttribute("dir"));
    appendText(body, message.text || "");
    item.appendChild(body);
    if (isLatest && message.buttons && message.buttons.length) {
      var group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", words(state.lang).choices || "Choices");
      message.buttons.forEach(function (button) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button button--choice";
        b.setAttribute("dir", "auto");
        b.textContent = button.title;
        b.addEventListener("click", function () {
          // The buttons go once pressed: keep focus in the chat, never on the page body.
          input.focus({ preventScroll: true });
          send(button.payload, button.title);
        });
        group.appendChild(b);
      });
      item.appendChild(group);
    }
    list.appendChild(item);
    return item;
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
    showReferences(state.references);
    showExit(!!state.exitPage);
    applyChrome(state.lang);
  }

  function add(message) {
    state.messages.push(message);
    if (message.from === "bot") {
      var found = (message.text || "").match(REFERENCES) || [];
      found.forEach(function (reference) {
        if (state.references.indexOf(reference) === -1) {
          state.references.push(reference);
        }
      });
      if (found.length) {
        showReferences(state.references);
      }
    }
    var item = render(message, true);
    save();
    return item;
  }

  function landOn(item) {
    // After a turn: the latest reply and its buttons in view, focus on its first button,
    // or back in the message box.
    if (!item) { return; }
    var first = item.querySelector(".choices button");
    if (first) {
      first.focus({ preventScroll: true });
    } else {
      input.focus({ preventScroll: true });
    }
    item.scrollIntoView({ block: "start" });
  }

  function chromeElement(tag, key, className) {
    var el = document.createElement(tag);
    el.setAttribute("data-chrome", key);
    if (className) { el.className = className; }
    label(el, state.lang);
    return el;
  }

  function answerFeedback(box, answered) {
    // Keep the answer (fire and forget: a failure is silent) and thank the resident in
    // place of the buttons. Focus, on the pressed button, goes back to the message box.
    post(FEEDBACK, { conversation_id: state.id, answered: answered });
    var thanks = chromeElement("p", answered ? "feedback_thanks" : "feedback_sorry",
      "feedback-thanks");
    box.textContent = "";
    box.removeAttribute("role");
    box.removeAttribute("aria-labelledby");
    box.appendChild(thanks);
    input.focus({ preventScroll: true });
  }

  function showFeedback(item) {
    // "Did that answer your question?" under the reply, with Yes and No buttons.
    var box = document.createElement("div");
    box.className = "feedback";
    box.setAttribute("role", "group");
    // English unless a label says otherwise, even under a reply in a language the page
    // has no words for; its direction follows the words shown.
    box.setAttribute("lang", "en-GB");
    box.setAttribute("dir", "auto");
    var question = chromeElement("p", "feedback_question", "feedback-question");
    question.id = "feedback-question-" + state.messages.length;
    box.setAttribute("aria-labelledby", question.id);
    box.appendChild(question);
    var row = document.createElement("div");
    row.className = "feedback-buttons";
    [["feedback_yes", true], ["feedback_no", false]].forEach(function (pair) {
      var b = chromeElement("button", pair[0], "button button--choice button--feedback");
      b.type = "button";
      b.addEventListener("click", function () { answerFeedback(box, pair[1]); });
      row.appendChild(b);
    });
    box.appendChild(row);
    item.appendChild(box);
  }

  function askFeedback(item, marked) {
    // Only the resident's own chat (an assisted session has no chat cookie), only under an
    // information answer, and once per reply.
    var turn = state.messages.length;
    if (!marked || fixedId || !item || (Number(state.feedbackAsked) || 0) >= turn) {
      return;
    }
    state.feedbackAsked = turn;
    save();
    showFeedback(item);
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
        var latest = null;
        var marked = false;
        body.replies.forEach(function (reply) {
          var lang = typeof reply.lang === "string" && reply.lang ? reply.lang : "";
          if (lang && lang !== state.lang) {
            state.lang = lang;
            applyChrome(lang);
          }
          if (reply.exit_page === true && !state.exitPage) {
            state.exitPage = true;
            showExit(true);
          }
          latest = add({
            from: "bot", text: String(reply.text || ""), buttons: reply.buttons || [],
            lang: lang
          });
          marked = reply.ask_feedback === true;
        });
        save();
        landOn(latest);
        askFeedback(latest, marked);
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
    if (fixedId || !state || !openCase() || busy || document.hidden) {
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
    showReferences([]);
    showExit(false);
    applyChrome("en");
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
      showReferences([]);
      announceCleared();
      post(finishUrl, {}, function () { window.location.replace(finishNext); });
      return;
    }
    clearAll("cleared");
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter starts a new line (and Enter while composing text in an
    // input method finishes the word, as it should).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing &&
        !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { sendButton.click(); }
    }
  });
  exitLink.href = EXIT_URL;
  exitLink.addEventListener("click", exitPage);
  // GOV.UK's shortcut: press Shift three times to leave, while the button is shown.
  var shifts = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || exitBar.hidden || event.repeat) { return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 5000; });
    shifts.push(now);
    if (shifts.length >= 3) { exitPage(null); }
  });
  if (embedded) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.defaultPrevented) {
        tellWidget("close");
      }
    });
    window.addEventListener("message", function (event) {
      // The widget has just focused this frame. If the resident has moved focus out
      // since (a link of the council's page, say), leave it there: never take it back.
      if (event.source === window.parent && event.data && event.data.frontdoor === "focus" &&
          document.hasFocus()) {
        input.focus();
      }
    });
  }
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
