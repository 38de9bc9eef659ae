/* casekit serve: reload the page when a new build is ready; show a build's
   errors over the page (which stays at the last good build) until they are fixed.
   Served by `casekit serve` only, at /_casekit/live.js; never part of a build. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="casekit-build"]');
  var shown = meta ? Number(meta.getAttribute("content")) : 0;
  var overlay = null;

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }

  function show(lines) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "casekit-serve-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;left:0;right:0;bottom:0;max-height:60%;overflow:auto;z-index:2147483647;" +
      "background:#fff4f4;color:#5a0000;border-top:4px solid #b00000;padding:12px 16px;" +
      "font:14px/1.45 monospace;white-space:pre-wrap;box-shadow:0 -4px 16px rgba(0,0,0,.25)";
    var title = document.createElement("strong");
    title.textContent = "casekit: the last change broke the course; this page is the last good build.";
    overlay.appendChild(title);
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.className = "casekit-serve-diagnostic";
      row.textContent = line;
      overlay.appendChild(row);
    });
    document.body.appendChild(overlay);
  }

  var events = new EventSource("/_casekit/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    document.documentElement.setAttribute("data-casekit-live", String(state.good));
    if (state.good !== shown && state.good > 0) {
      window.location.reload();
      return;
    }
    if (state.errors.length) {
      show(state.errors);
    } else {
      hide();
    }
  });
})();
