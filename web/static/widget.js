/* Front Door chat widget (issue #18). A council adds it to any page of its own site with
 * one tag:  <script src="https://<front door>/widget.js" data-council="<slug>" defer></script>
 *
 * - Draws a launcher button at the bottom right of every page (the same place on each:
 *   WCAG 2.2, 3.2.6 consistent help) that opens the resident chat page (/?embed=1) in a
 *   panel beside it. The button's text, its name and the panel's words are the council's
 *   (kb/web_chat/widget.yml and its profile), put into this file by the server (web/widget.py).
 * - Everything lives in its own shadow tree with its own style sheet (/widget.css): the
 *   council's styles do not reach it and it does not reach them. No inline script or style
 *   and no eval, so a page with a strict Content-Security-Policy only has to allow this
 *   origin in script-src, style-src and frame-src.
 * - Opening moves focus into the chat (the message box); Escape, in the chat or on the
 *   panel, closes it and returns focus to the button (Escape elsewhere on the page closes
 *   it too, revealing whatever it covered). The button says whether the panel is
 *   open (aria-expanded) and which panel it controls.
 * - The conversation is the chat page's own: it stays in that page's sessionStorage for
 *   this tab, so it is still there on the council's next page. Whether the panel was open
 *   is kept in this site's sessionStorage, and the panel opens again (without taking focus)
 *   on the next page.
 * - "Exit this page" in the chat leaves the council's page too (GOV.UK's pattern).
 */
(function () {
  "use strict";

  var CONFIG = /*frontdoor:config*/ null;
  var STATE = "frontdoor.widget";
  var script = document.currentScript;
  if (!CONFIG || !script || !script.src) {
    return;
  }
  var ORIGIN = new URL(script.src, document.baseURI).origin;
  var asked = script.getAttribute("data-council") || "";
  var slug = Object.prototype.hasOwnProperty.call(CONFIG.councils, asked) ?
    asked : CONFIG["default"];
  var WORDS = CONFIG.councils[slug];

  function wasOpen() {
    try {
      return window.sessionStorage.getItem(STATE) === "open";
    } catch (e) {
      return false; /* storage blocked: the panel starts closed */
    }
  }

  function remember(open) {
    try {
      if (open) {
        window.sessionStorage.setItem(STATE, "open");
      } else {
        window.sessionStorage.removeItem(STATE);
      }
    } catch (e) {
      /* storage blocked: nothing to keep */
    }
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) { made.className = className; }
    if (text) { made.textContent = text; }
    return made;
  }

  function start() {
    if (document.querySelector("[data-frontdoor-widget]")) {
      return; /* the tag is on the page twice */
    }
    var host = element("div");
    host.setAttribute("data-frontdoor-widget", slug);
    host.hidden = true;
    // The council's header colours (checked for contrast when its profile is loaded).
    // Setting custom properties through the style object is allowed by any CSP.
    host.style.setProperty("--fd-background", WORDS.background);
    host.style.setProperty("--fd-text", WORDS.text);
    var root = host.attachShadow({ mode: "open" });

    var sheet = element("link");
    sheet.rel = "stylesheet";
    sheet.href = ORIGIN + "/widget.css";

    var launcher = element("button", "launcher", WORDS.launcher);
    launcher.type = "button";
    launcher.id = "frontdoor-launcher";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "frontdoor-panel");

    var panel = element("div", "panel");
    panel.id = "frontdoor-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "frontdoor-title");
    var bar = element("div", "bar");
    var title = element("h2", "title", WORDS.title);
    title.id = "frontdoor-title";
    var closer = element("button", "close", WORDS.close);
    closer.type = "button";
    bar.appendChild(title);
    bar.appendChild(closer);
    panel.appendChild(bar);

    var frame = null;
    var focusOnLoad = false;

    function focusChat() {
      frame.focus();
      frame.contentWindow.postMessage({ frontdoor: "focus" }, ORIGIN);
    }

    function open(takeFocus) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      remember(true);
      if (!frame) {
        frame = element("iframe", "frame");
        frame.title = WORDS.frame_title;
        frame.src = ORIGIN + "/?embed=1&council=" + encodeURIComponent(slug);
        frame.addEventListener("load", function () {
          if (focusOnLoad) {
            focusOnLoad = false;
            focusChat();
          }
        });
        panel.appendChild(frame);
        // The chat takes focus on to its message box once it has loaded.
        focusOnLoad = takeFocus;
        if (takeFocus) { frame.focus(); }
      } else if (takeFocus) {
        focusChat();
      }
    }

    function close(returnFocus) {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      remember(false);
      focusOnLoad = false;
      if (returnFocus) { launcher.focus(); }
    }

    launcher.addEventListener("click", function () {
      if (panel.hidden) { open(true); } else { close(true); }
    });
    closer.addEventListener("click", function () { close(true); });
    // Escape closes the panel wherever focus is. On a small screen the panel covers most of
    // the council's page, and a link focused under it is revealed without moving focus
    // (WCAG 2.2, 2.4.11); from the panel itself, focus goes back to the launcher.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden && !event.defaultPrevented) {
        close(event.target === host);
      }
    });
    // What the chat inside the panel asks of this page (chat.js, embedded mode).
    window.addEventListener("message", function (event) {
      if (!frame || event.origin !== ORIGIN || event.source !== frame.contentWindow ||
          !event.data || typeof event.data.frontdoor !== "string") {
        return;
      }
      if (event.data.frontdoor === "close" && !panel.hidden) {
        close(true);
      } else if (event.data.frontdoor === "exit") {
        remember(false);
        window.location.replace(CONFIG.exit_url);
      }
    });

    sheet.addEventListener("load", function () { host.hidden = false; });
    sheet.addEventListener("error", function () {
      // Without its style sheet the panel would be unusable: show nothing rather than that.
      if (window.console) { window.console.warn("Front Door widget: cannot load " + sheet.href); }
    });
    root.appendChild(sheet);
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);
    if (wasOpen()) {
      open(false);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
