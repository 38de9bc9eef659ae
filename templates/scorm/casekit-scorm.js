/* casekit's SCORM 1.2 runtime for the offline viewer (no third-party code, no network).
 *
 * The viewer (index.html) is every SCO of the package; the SCO is named by the launch
 * parameter ?sco=<id>, and window.CASEKIT_SCORM (scorm.js) says which lessons and
 * quizzes it holds, with the quizzes' answers. This script finds the LMS's API object up
 * the window chain (then the opener's) and:
 * - opens the SCO at the learner's bookmark (cmi.core.lesson_location) or at its first
 *   lesson, and keeps the bookmark at the heading being read;
 * - reports cmi.core.lesson_status: "completed" once the end of each of its lessons was
 *   on screen, or, when it has quizzes, "passed"/"failed" with cmi.core.score.raw/min/max
 *   once each of them was checked;
 * - on leaving: cmi.core.session_time, cmi.core.exit ("suspend" until done), LMSFinish.
 * Without an LMS it is the plain offline viewer whose quizzes still check themselves. */
(function () {
  "use strict";
  var data = window.CASEKIT_SCORM || { key: {}, scos: {}, labels: {}, mastery: 80 };
  var DONE = { completed: true, passed: true };

  function findApi(win) {
    for (var hops = 0; win && hops < 16; hops++) {
      try {
        if (win.API) return win.API;
      } catch (e) {
        return null; // a frame of another origin: not our LMS
      }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  var match = /[?&]sco=([^&#]*)/.exec(window.location.search);
  var sco = match ? data.scos[decodeURIComponent(match[1])] || null : null;
  var api = findApi(window) || (window.opener ? findApi(window.opener) : null);
  var live = false;
  var finished = false;
  var started = Date.now();
  var status = "";
  var bookmark = "";

  function get(name) {
    return live ? String(api.LMSGetValue(name)) : "";
  }

  function set(name, value) {
    if (live) api.LMSSetValue(name, String(value));
  }

  function commit() {
    if (live) api.LMSCommit("");
  }

  function setStatus(value) {
    status = value;
    set("cmi.core.lesson_status", value);
    commit();
  }

  function start() {
    if (!api || !sco) return;
    live = String(api.LMSInitialize("")) === "true";
    if (!live) return;
    status = get("cmi.core.lesson_status");
    if (status === "not attempted" || status === "") setStatus("incomplete");
    bookmark = get("cmi.core.lesson_location");
  }

  /* SCORM 1.2 CMITimespan: HHHH:MM:SS.SS */
  function timespan(ms) {
    var seconds = ms / 1000;
    var hours = Math.min(9999, Math.floor(seconds / 3600));
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = (seconds % 60).toFixed(2);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (hours < 10 ? "0" : "") + hours + ":" + two(minutes) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function finish() {
    if (!live || finished) return;
    finished = true;
    set("cmi.core.session_time", timespan(Date.now() - started));
    set("cmi.core.exit", DONE[status] ? "" : "suspend");
    commit();
    api.LMSFinish("");
  }

  /* Where the learner is: the last heading above the upper third of the window on the
     page shown, else the page's lesson. */
  function remember(id) {
    if (!id || id === bookmark || id.length > 255) return;
    bookmark = id;
    set("cmi.core.lesson_location", id);
  }

  function currentPlace() {
    var page = document.querySelector(".page:not([hidden])");
    if (!page) return "";
    var lesson = page.querySelector("section.lesson");
    var place = lesson ? lesson.id : page.id;
    var line = window.innerHeight / 3;
    var headings = page.querySelectorAll("h2[id], h3[id], h4[id], section[id]");
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top > line) break;
      if (headings[i] !== lesson && !/-title$/.test(headings[i].id)) place = headings[i].id;
    }
    return place;
  }

  function watchPlace() {
    var pending = false;
    function update() {
      pending = false;
      remember(currentPlace());
    }
    window.addEventListener("scroll", function () {
      if (!pending) {
        pending = true;
        window.setTimeout(update, 200);
      }
    });
    window.addEventListener("hashchange", function () {
      window.setTimeout(update, 0);
    });
  }

  function openAt() {
    var target = bookmark && document.getElementById(bookmark) ? bookmark : "";
    if (!target && !window.location.hash && sco && sco.lessons.length) target = sco.lessons[0];
    if (target) window.location.hash = target;
  }

  function normalise(text) {
    return text.replace(/\s+/g, " ").trim().toLowerCase();
  }

  function scoreQuizzes() {
    var results = {};
    var mine = sco ? sco.quizzes : [];

    function report() {
      var right = 0;
      var total = 0;
      for (var i = 0; i < mine.length; i++) {
        var result = results[mine[i]];
        if (!result) return; // not every quiz of the SCO checked yet
        right += result[0];
        total += result[1];
      }
      var raw = total ? Math.round((100 * right) / total) : 100;
      set("cmi.core.score.min", 0);
      set("cmi.core.score.max", 100);
      set("cmi.core.score.raw", raw);
      setStatus(raw >= data.mastery ? "passed" : "failed");
    }

    Object.keys(data.key).forEach(function (quizId) {
      var quiz = document.getElementById(quizId);
      if (!quiz) return;
      var answers = data.key[quizId];
      var questions = quiz.querySelectorAll("li.question");
      var inputs = [];
      Array.prototype.forEach.call(questions, function (question, index) {
        var answer = answers[index];
        var name = quizId + "-" + (index + 1);
        if (typeof answer === "string") {
          var field = document.createElement("input");
          field.type = "text";
          field.name = name;
          field.setAttribute("aria-label", question.textContent.trim().slice(0, 80));
          var lines = question.querySelector(".answer-lines");
          question.insertBefore(field, lines);
          inputs.push(function () {
            return normalise(field.value) === normalise(answer);
          });
          return;
        }
        var boxes = [];
        var single = answer.kind === "single";
        var options = question.querySelectorAll("ul.options > li");
        Array.prototype.forEach.call(options, function (option, i) {
          var box = document.createElement("input");
          box.type = single ? "radio" : "checkbox";
          box.name = name;
          box.value = String(i);
          var label = document.createElement("label");
          var mark = option.querySelector(".box");
          if (mark) option.removeChild(mark);
          while (option.firstChild) label.appendChild(option.firstChild);
          label.insertBefore(box, label.firstChild);
          option.appendChild(label);
          boxes.push(box);
        });
        inputs.push(function () {
          for (var i = 0; i < boxes.length; i++) {
            if (boxes[i].checked !== (answer.right.indexOf(i) >= 0)) return false;
          }
          return true;
        });
      });
      var button = document.createElement("button");
      button.type = "button";
      button.className = "check-answers";
      button.textContent = data.labels.check;
      var output = document.createElement("p");
      output.className = "score";
      output.setAttribute("role", "status");
      button.addEventListener("click", function () {
        var right = inputs.filter(function (check) {
          return check();
        }).length;
        results[quizId] = [right, inputs.length];
        output.textContent = data.labels.result
          .replace("{correct}", String(right))
          .replace("{total}", String(inputs.length));
        if (mine.indexOf(quizId) >= 0) report();
      });
      quiz.appendChild(button);
      quiz.appendChild(output);
    });
  }

  /* A SCO without quizzes is completed once the end of each of its lessons was shown. */
  function watchEnds() {
    if (!live || !sco || sco.quizzes.length || DONE[status] || status === "failed") return;
    var left = {};
    var count = 0;
    var ends = [];
    sco.lessons.forEach(function (anchor) {
      var page = document.getElementById("page-" + anchor);
      var end = page && page.querySelector(".pager");
      if (!end) return;
      left[anchor] = true;
      count++;
      ends.push([anchor, end]);
    });
    if (!count || !("IntersectionObserver" in window)) {
      setStatus("completed");
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var anchor = entry.target.getAttribute("data-sco-lesson");
        if (!entry.isIntersecting || !left[anchor]) return;
        delete left[anchor];
        count--;
        observer.unobserve(entry.target);
        if (!count) setStatus("completed");
      });
    });
    ends.forEach(function (pair) {
      pair[1].setAttribute("data-sco-lesson", pair[0]);
      observer.observe(pair[1]);
    });
  }

  start();
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
  scoreQuizzes();
  openAt();
  if (live) watchPlace();
  watchEnds();
})();
