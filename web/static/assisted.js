/* Staff panel of a library assisted session (issue #6). Plain JavaScript, nothing from elsewhere.
 *
 * The "Nearby places" forms post to /staff/assisted/places and /staff/assisted/bookings.
 * Without script they open the answer as a page; with it, the answer's
 * <section id="assisted-places"> (HTML the server built and escaped) is put into the panel,
 * so the chat on this page is not lost. Nothing is stored in the browser, and the list and
 * any booking are wiped when the chat is cleared ("frontdoor:cleared" from chat.js, which
 * "Finish session" and the idle timeout send) or after the same idle time of their own.
 *
 * The panel is moved after the chat, so that on a narrow screen the chat comes first and on
 * a wide one (assisted.css) the two columns read chat, then panel. "Print a summary" opens
 * the printable summary in a new tab with the references the chat shows; on that page the
 * "Print this page" button prints it.
 */
(function () {
  "use strict";

  // The reference scheme of lib/references.py, as the server put it in the chat page
  // (resident_page.py); the printable summary page has none and needs none.
  var DATA_ELEMENT = document.getElementById("chat-data");
  var SCHEME = (DATA_ELEMENT && JSON.parse(DATA_ELEMENT.textContent || "{}").references) || null;
  // Pattern (tests/unit/web/test_assisted_references.py runs this block).
  var REFERENCE = SCHEME ? new RegExp("\\b(?:" + SCHEME.prefixes.join("|") + ")-[" +
    SCHEME.alphabet + "]{" + SCHEME.length + "}\\b", "g") : null;
  // End of pattern.

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var output = document.getElementById("assisted-output");
  var chat = document.getElementById("chat");
  if (!output) {
    return;
  }
  var panel = document.getElementById("staff-panel");
  if (panel && chat && chat.parentNode) {
    chat.parentNode.insertBefore(panel, chat.nextSibling);
  }
  var idleMs = Math.max(2, Number(chat && chat.getAttribute("data-idle-minutes")) || 30) * 60000;
  var lastActive = Date.now();
  var busy = false;

  function clearOutput() {
    output.textContent = "";
    var forms = document.querySelectorAll("form[data-assisted-form]");
    Array.prototype.forEach.call(forms, function (form) { form.reset(); });
  }

  function showMessage(text) {
    output.textContent = "";
    var p = document.createElement("p");
    p.className = "booking-result booking-result--refused";
    p.setAttribute("role", "alert");
    p.textContent = text;
    output.appendChild(p);
  }

  function show(html) {
    // An inert document: nothing in it runs or loads; only the section is taken.
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var section = parsed.getElementById("assisted-places");
    if (!section) {
      showMessage(output.getAttribute("data-failed"));
      return;
    }
    output.textContent = "";
    output.appendChild(document.importNode(section, true));
    var focus = output.querySelector("[data-focus]");
    if (focus) {
      focus.focus();
    }
  }

  function submit(form) {
    if (busy) {
      return;
    }
    busy = true;
    output.setAttribute("aria-busy", "true");
    var body = new URLSearchParams(new FormData(form));
    window.fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      cache: "no-store",
      // A redirect means the staff sign-in has ended: say so rather than follow it.
      redirect: "manual"
    }).then(function (response) {
      if (response.type === "opaqueredirect") {
        showMessage(output.getAttribute("data-signed-out"));
        return null;
      }
      return response.text().then(show);
    }).catch(function () {
      showMessage(output.getAttribute("data-failed"));
    }).then(function () {
      busy = false;
      output.setAttribute("aria-busy", "false");
    });
  }

  // The references the chat shows, each once, for the printed summary.
  function chatReferences() {
    var found = [];
    var messages = document.getElementById("messages");
    var text = (messages ? messages.textContent : "") + " " +
      ((document.getElementById("reference-value") || {}).textContent || "");
    ((REFERENCE && text.match(REFERENCE)) || []).forEach(function (reference) {
      if (found.indexOf(reference) === -1) {
        found.push(reference);
      }
    });
    return found;
  }

  function addReferences(form) {
    Array.prototype.forEach.call(form.querySelectorAll("input[data-chat-reference]"),
      function (input) { input.parentNode.removeChild(input); });
    chatReferences().forEach(function (reference) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "reference";
      input.value = reference;
      input.setAttribute("data-chat-reference", "");
      form.appendChild(input);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.hasAttribute && form.hasAttribute("data-assisted-form")) {
      event.preventDefault();
      submit(form);
    } else if (form && form.hasAttribute && form.hasAttribute("data-summary-form")) {
      addReferences(form);  // then the form opens the summary in a new tab
    }
  });
  document.addEventListener("frontdoor:cleared", clearOutput);
  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function () { lastActive = Date.now(); }, { passive: true });
  });
  window.setInterval(function () {
    if (output.firstChild && Date.now() - lastActive >= idleMs) {
      clearOutput();
    }
  }, 15000);
})();
