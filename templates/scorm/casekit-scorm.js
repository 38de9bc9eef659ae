/* casekit's SCORM 1.2 runtime for one SCO page (no third-party code, no network).
 *
 * Finds the LMS's API object up the window chain (then the opener's), and reports
 * cmi.core.lesson_status: "completed" once the page was read to its end, or, when the
 * page has quizzes, "passed"/"failed" with cmi.core.score.raw/min/max once every quiz on
 * it was checked. Without an LMS the page is a plain offline page whose quizzes still
 * check themselves. The answers come from the page's data-key attribute. */
(function () {
  "use strict";

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

  var api = findApi(window) || (window.opener ? findApi(window.opener) : null);
  var live = false;
  var finished = false;

  function setValue(name, value) {
    if (live) api.LMSSetValue(name, String(value));
  }

  function commit() {
    if (live) api.LMSCommit("");
  }

  function start() {
    if (!api) return;
    live = String(api.LMSInitialize("")) === "true";
    if (!live) return;
    var status = String(api.LMSGetValue("cmi.core.lesson_status"));
    if (status === "not attempted" || status === "") setValue("cmi.core.lesson_status", "incomplete");
    commit();
  }

  function finish() {
    if (!live || finished) return;
    finished = true;
    commit();
    api.LMSFinish("");
  }

  function normalise(text) {
    return text.replace(/\s+/g, " ").trim().toLowerCase();
  }

  function setup() {
    var main = document.getElementById("content");
    var key = JSON.parse(main.getAttribute("data-key") || "{}");
    var mastery = Number(main.getAttribute("data-mastery") || "80");
    var results = {};
    var quizIds = Object.keys(key);

    function report() {
      var right = 0;
      var total = 0;
      for (var i = 0; i < quizIds.length; i++) {
        var result = results[quizIds[i]];
        if (!result) return; // not every quiz checked yet
        right += result[0];
        total += result[1];
      }
      var raw = total ? Math.round((100 * right) / total) : 100;
      setValue("cmi.core.score.min", 0);
      setValue("cmi.core.score.max", 100);
      setValue("cmi.core.score.raw", raw);
      setValue("cmi.core.lesson_status", raw >= mastery ? "passed" : "failed");
      commit();
    }

    quizIds.forEach(function (quizId) {
      var quiz = document.getElementById(quizId);
      if (!quiz) return;
      var answers = key[quizId];
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
      button.textContent = main.getAttribute("data-check");
      var output = document.createElement("p");
      output.className = "score";
      output.setAttribute("role", "status");
      button.addEventListener("click", function () {
        var right = inputs.filter(function (check) {
          return check();
        }).length;
        results[quizId] = [right, inputs.length];
        output.textContent = main
          .getAttribute("data-result")
          .replace("{correct}", String(right))
          .replace("{total}", String(inputs.length));
        report();
      });
      quiz.appendChild(button);
      quiz.appendChild(output);
    });

    if (!quizIds.length) {
      var end = document.getElementById("end-of-page");
      var done = false;
      var complete = function () {
        if (done) return;
        done = true;
        setValue("cmi.core.lesson_status", "completed");
        commit();
      };
      if ("IntersectionObserver" in window) {
        new IntersectionObserver(function (entries) {
          if (entries.some(function (e) { return e.isIntersecting; })) complete();
        }).observe(end);
      } else {
        complete();
      }
    }
  }

  start();
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
