/* casekit serve: reload the page when a new build is ready; show the last build's
   errors over the page (which stays at the last good build) until they are fixed, and
   its warnings (the page is current; the learner would see what they point at).
   Served by `casekit serve` only, at /_casekit/live.js; never part of a build. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="casekit-build"]');
  var shown = meta ? Number(meta.getAttribute("content")) : 0;
  var overlay = null;
  var dismissed = ""; // the warnings the author closed: shown again only when they change

  var LOOK = {
    error: { background: "#fff4f4", color: "#5a0000", border: "#b00000" },
    warning: { background: "#fffbea", color: "#4a3800", border: "#b08800" }
  };

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function section(title, lines, severity) {
    var part = document.createElement("div");
    part.className = "casekit-serve-" + severity + "s";
    var heading = document.createElement("strong");
    heading.textContent = title;
    part.appendChild(heading);
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.className = "casekit-serve-diagnostic";
      row.setAttribute("data-severity", severity);
      row.textContent = line;
      part.appendChild(row);
    });
    return part;
  }

  function show(errors, warnings) {
    hide();
    var look = LOOK[errors.length ? "error" : "warning"];
    overlay = document.createElement("div");
    overlay.id = "casekit-serve-overlay";
    overlay.setAttribute("role", errors.length ? "alert" : "status");
    overlay.setAttribute("data-severity", errors.length ? "error" : "warning");
    overlay.style.cssText =
      "position:fixed;left:0;right:0;bottom:0;max-height:60%;overflow:auto;z-index:2147483647;" +
      "background:" + look.background + ";color:" + look.color + ";border-top:4px solid " +
      look.border + ";padding:12px 16px;font:14px/1.45 monospace;white-space:pre-wrap;" +
      "box-shadow:0 -4px 16px rgba(0,0,0,.25)";
    if (errors.length) {
      overlay.appendChild(section(
        "casekit: the last change broke the course; this page is the last good build.",
        errors, "error"));
    }
    if (warnings.length) {
      overlay.appendChild(section(
        "casekit: " + warnings.length + " warning(s) in the last build.", warnings, "warning"));
    }
    if (!errors.length) {
      var close = document.createElement("button");
      close.type = "button";
      close.className = "casekit-serve-close";
      close.textContent = "×";
      close.setAttribute("aria-label", "close");
      close.style.cssText = "position:absolute;top:6px;right:10px;font:18px monospace";
      close.addEventListener("click", function () {
        dismissed = JSON.stringify(warnings);
        hide();
      });
      overlay.appendChild(close);
    }
    document.body.appendChild(overlay);
  }

  var events = new EventSource("/_casekit/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    var warnings = state.warnings || [];
    document.documentElement.setAttribute("data-casekit-live", String(state.good));
    if (state.good !== shown && state.good > 0) {
      window.location.reload();
      return;
    }
    if (state.errors.length || (warnings.length && JSON.stringify(warnings) !== dismissed)) {
      show(state.errors, warnings);
    } else {
      hide();
    }
  });
})();
