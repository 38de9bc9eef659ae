/* verify.html: re-hash the picked bundle folder with Web Crypto SHA-256 against the manifest. */
(function () {
  "use strict";
  var labels = document.currentScript.dataset;
  var manifestText = window.CASEKIT_MANIFEST_JSON;
  var manifest = JSON.parse(manifestText);
  /* Files that describe the bundle: they cannot list themselves in the manifest. */
  var METADATA = labels.metadata.split(" ");

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function sha256(buffer) {
    return crypto.subtle.digest("SHA-256", buffer).then(hex);
  }
  /* Files up to the limit go to Web Crypto whole; larger ones are read in slices
     through the incremental SHA-256 so that a long video never fills the memory. */
  function hashFile(file) {
    if (file.size <= Number(labels.wholeFileLimit)) return file.arrayBuffer().then(sha256);
    var state = new window.CasekitSha256();
    var slice = 8 * 1024 * 1024;
    function from(position) {
      if (position >= file.size) return Promise.resolve(state.hex());
      return file.slice(position, position + slice).arrayBuffer().then(function (buffer) {
        state.update(new Uint8Array(buffer));
        return from(position + slice);
      });
    }
    return from(0);
  }
  function format(template, path) { return template.replace("{path}", path); }

  /* The picked folder may be the bundle itself or a stick holding it: find manifest.json
     beside bagit.txt and take paths relative to that folder. */
  function bundleFiles(files) {
    var byPath = {};
    files.forEach(function (f) { byPath[f.webkitRelativePath || f.name] = f; });
    var roots = Object.keys(byPath).filter(function (p) {
      return /(^|\/)manifest\.json$/.test(p) && byPath[p.replace(/manifest\.json$/, "bagit.txt")];
    }).map(function (p) { return p.slice(0, -"manifest.json".length); });
    roots.sort(function (a, b) { return a.length - b.length; });
    if (!roots.length) return null;
    var result = {};
    Object.keys(byPath).forEach(function (p) {
      if (p.indexOf(roots[0]) === 0) result[p.slice(roots[0].length)] = byPath[p];
    });
    return result;
  }

  function check(files) {
    var differences = [];
    var expected = {};
    manifest.files.forEach(function (entry) { expected[entry.path] = entry; });
    var progress = document.getElementById("progress");
    var done = 0;
    var chain = Promise.resolve();
    manifest.files.forEach(function (entry) {
      chain = chain.then(function () {
        var file = files[entry.path];
        progress.textContent = labels.checking.replace("{done}", ++done)
          .replace("{total}", manifest.files.length);
        if (!file) { differences.push(format(labels.missing, entry.path)); return null; }
        if (file.size !== entry.size) { differences.push(format(labels.modified, entry.path)); return null; }
        return hashFile(file).then(function (digest) {
          if (digest !== entry.sha256) differences.push(format(labels.modified, entry.path));
        });
      });
    });
    return chain.then(function () {
      return files["manifest.json"].arrayBuffer().then(sha256);
    }).then(function (digest) {
      return sha256(new TextEncoder().encode(manifestText)).then(function (own) {
        if (digest !== own) differences.push(format(labels.modified, "manifest.json"));
        document.getElementById("fingerprint").textContent = labels.fingerprint + " " + own;
        Object.keys(files).sort().forEach(function (path) {
          if (!expected[path] && METADATA.indexOf(path) < 0) {
            differences.push(format(labels.extra, path));
          }
        });
        return differences;
      });
    });
  }

  function report(differences) {
    var verdict = document.getElementById("verdict");
    var list = document.getElementById("differences");
    verdict.hidden = false;
    verdict.className = "verdict " + (differences.length ? "fail" : "pass");
    verdict.textContent = differences.length ? labels.fail : labels.pass;
    list.textContent = "";
    differences.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
  }

  document.getElementById("folder").addEventListener("change", function (event) {
    var files = bundleFiles(Array.prototype.slice.call(event.target.files));
    if (!files || !files["manifest.json"]) { report([labels.noBundle]); return; }
    check(files).then(report, function (problem) { report([String(problem)]); });
  });
})();
