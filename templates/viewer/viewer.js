/* casekit offline viewer: one lesson at a time, search, open by code. No network. */
(function () {
  "use strict";
  var data = window.CASEKIT_COURSE || { codes: {}, search: [], labels: {} };
  var pages = Array.prototype.slice.call(document.querySelectorAll(".page"));
  var status = document.getElementById("status");

  /* Kazakh letters fold to their Russian neighbours and ё to е, so a learner on a
     Russian keyboard still finds "қауіпсіздік" by typing "кауипсиздик". One
     character in, one character out: positions stay valid for the snippet. */
  var FOLD = { "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у",
               "һ": "х", "і": "и", "i": "и", "ё": "е", "й": "и" };
  function fold(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var lower = text.charAt(i).toLowerCase();
      if (lower.length !== 1) lower = text.charAt(i);
      out += FOLD[lower] || lower;
    }
    return out;
  }

  function show(id) {
    var target = id ? document.getElementById(id) : null;
    if (!target) target = document.getElementById("home");
    var page = target.closest(".page") || target;
    pages.forEach(function (p) { p.hidden = p !== page; });
    document.querySelectorAll(".toc a").forEach(function (a) {
      if (a.getAttribute("href") === "#" + (page.querySelector(".lesson") || page).id) {
        a.setAttribute("aria-current", "page");
      } else {
        a.removeAttribute("aria-current");
      }
    });
    document.querySelectorAll(".target").forEach(function (el) { el.classList.remove("target"); });
    if (target === page || target.classList.contains("lesson")) {
      window.scrollTo(0, 0);
    } else {
      target.classList.add("target");
      target.scrollIntoView();
    }
  }

  function route() {
    status.textContent = "";
    show(decodeURIComponent(location.hash.slice(1)));
  }

  function snippet(text, at, length) {
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, at + length + 80);
    var li = document.createElement("span");
    li.className = "snippet";
    li.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(at, at + length);
    li.appendChild(mark);
    li.appendChild(document.createTextNode(text.slice(at + length, end) + (end < text.length ? "…" : "")));
    return li;
  }

  function search(query) {
    var list = document.getElementById("search-results");
    list.textContent = "";
    var words = fold(query.trim()).split(/\s+/).filter(Boolean);
    if (!words.length) return;
    var found = 0;
    data.search.forEach(function (entry) {
      var folded = fold(entry.text);
      if (!words.every(function (w) { return folded.indexOf(w) >= 0; })) return;
      found++;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + entry.anchor;
      a.textContent = entry.title === entry.lesson ? entry.lesson : entry.lesson + " — " + entry.title;
      li.appendChild(a);
      li.appendChild(snippet(entry.text, folded.indexOf(words[0]), words[0].length));
      list.appendChild(li);
    });
    if (!found) {
      var none = document.createElement("li");
      none.textContent = data.labels.no_results;
      list.appendChild(none);
    }
    pages.forEach(function (p) { p.hidden = p.id !== "search"; });
  }

  /* Codes are printed as V1.1 / A2.3; accept Cyrillic В and А, commas and spaces too. */
  function normaliseCode(text) {
    return text.trim().toUpperCase().replace(/В/g, "V").replace(/А/g, "A")
      .replace(/,/g, ".").replace(/\s+/g, "");
  }

  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(document.getElementById("search-input").value);
  });
  document.getElementById("search-input").addEventListener("input", function (event) {
    search(event.target.value);
  });
  document.getElementById("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = normaliseCode(document.getElementById("code-input").value);
    var anchor = data.codes[code];
    if (!anchor) {
      status.textContent = data.labels.code_not_found.replace("{code}", code);
      return;
    }
    if (location.hash === "#" + anchor) route(); else location.hash = anchor;
    var player = document.getElementById(anchor).querySelector("video, audio");
    if (player) player.focus();
  });

  /* Listen: the lesson read aloud (data-audio), the sentence being read highlighted
     (data-clips: [id, begin, end] in seconds, measured when the audio was made). */
  var audio = null;
  var playing = null;
  var current = null;
  function highlight(id) {
    if (current && current.id === id) return;
    if (current) current.classList.remove("narrating");
    current = id ? document.getElementById(id) : null;
    if (current) {
      current.classList.add("narrating");
      current.scrollIntoView({ block: "nearest" });
    }
  }
  function label(button, paused) {
    button.textContent = button.getAttribute(paused ? "data-listen" : "data-pause");
    button.setAttribute("aria-pressed", paused ? "false" : "true");
  }
  document.querySelectorAll(".listen-button").forEach(function (button) {
    var clips = JSON.parse(button.getAttribute("data-clips"));
    button.addEventListener("click", function () {
      if (playing === button && !audio.paused) {
        audio.pause();
        return;
      }
      if (playing !== button) {
        if (audio) audio.pause();
        audio = new Audio(button.getAttribute("data-audio"));
        playing = button;
        audio.addEventListener("timeupdate", function () {
          var time = audio.currentTime;
          for (var i = 0; i < clips.length; i++) {
            if (time >= clips[i][1] && time < clips[i][2]) return highlight(clips[i][0]);
          }
        });
        audio.addEventListener("play", function () { label(button, false); });
        audio.addEventListener("pause", function () { label(button, true); });
        audio.addEventListener("ended", function () { highlight(null); });
      }
      audio.play();
    });
  });

  window.addEventListener("hashchange", route);
  route();
})();
