/* Checking every course bundle in a picked folder (a bundle, or a whole stick) with
   SHA-256 against its manifest.json.

   Two pages run this script. verify.html on the stick knows its own manifest
   (window.CASEKIT_MANIFEST_JSON): it finds accidental damage, but it comes from the
   stick it checks, so it proves nothing against tampering. The facility's page
   (`casekit verifier-page`, kept off the sticks) knows the fingerprints it trusts
   (window.CASEKIT_TRUSTED): a bundle whose manifest.json has any other fingerprint
   fails. Lookups by file name use Map, never plain objects, so that files named
   "constructor" or "__proto__" are files like any other.

   Approvals (approvals/<name>.json, casekit approve) are Ed25519 signatures over a
   statement naming the SHA-256 of tagmanifest-sha256.txt; Web Crypto checks them.
   The stick's page checks them with the keys the approvals carry (integrity, not
   origin: anyone can make a key); the facility's page with the keys it was written
   with (window.CASEKIT_TRUSTED_KEYS), and a bundle no trusted key approved fails, as
   does one lacking an approval in a required role (window.CASEKIT_REQUIRED_ROLES).
   A valid rejection fails the bundle whatever else approved it (casekit verify's
   "rejected"). Roles compare with spaces collapsed, in lower case, as in casekit. */
(function () {
  "use strict";
  var labels = document.currentScript.dataset;
  var trusted = window.CASEKIT_TRUSTED ? new Map(window.CASEKIT_TRUSTED.map(function (entry) {
    return [entry.fingerprint, entry];
  })) : null;
  var trustedKeys = window.CASEKIT_TRUSTED_KEYS ? new Map(window.CASEKIT_TRUSTED_KEYS.map(function (entry) {
    return [entry.fingerprint, entry];
  })) : null;
  /* Roles a trusted key must have approved in (verifier-page --require-role). */
  var requiredRoles = window.CASEKIT_REQUIRED_ROLES || [];
  var TAGMANIFEST = "tagmanifest-sha256.txt";
  var ownText = typeof window.CASEKIT_MANIFEST_JSON === "string" ? window.CASEKIT_MANIFEST_JSON : null;
  /* Files that describe the bundle: they cannot list themselves in the manifest. */
  var METADATA = new Set(labels.metadata.split(" "));
  var MANIFEST = "manifest.json";
  /* approvals/<name>.json: signed tag files outside the manifests (casekit approve). */
  var APPROVALS = labels.approvals + "/";
  var MANIFEST_SCRIPT = labels.manifestScript;
  var TEMPORARY = labels.temporaryPrefix;
  var RUNNABLE = new Set(labels.runnableSuffixes.split(" "));
  var AUTORUN = new Set(labels.autorunNames.split(" "));

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
  function say(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }
  /* Inside a folder that casekit writes under a temporary name (a copy not finished). */
  function temporary(path) {
    return path.split("/").slice(0, -1).some(function (part) { return part.indexOf(TEMPORARY) === 0; });
  }
  /* manifest.js as casekit writes it (Python's json.dumps with ensure_ascii). */
  function manifestScript(text) {
    var quoted = JSON.stringify(text).replace(/[\u0080-\uffff]/g, function (c) {
      return "\\u" + ("000" + c.charCodeAt(0).toString(16)).slice(-4);
    });
    return "window.CASEKIT_MANIFEST_JSON = " + quoted + ";\n";
  }
  function isApproval(path) {
    var name = path.slice(APPROVALS.length);
    return path.indexOf(APPROVALS) === 0 && name.indexOf("/") < 0 && /\.json$/.test(name);
  }
  function bytesOf(base64) {
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  /* casekit's short fingerprint: the first 80 bits of a SHA-256, in groups of four. */
  function short(hexDigest) {
    return hexDigest.slice(0, 20).match(/.{4}/g).join("-");
  }
  function runnable(name) {
    var lower = name.toLowerCase();
    var dot = lower.lastIndexOf(".");
    return AUTORUN.has(lower) || (dot >= 0 && RUNNABLE.has(lower.slice(dot)));
  }

  /* Every bundle under the picked folder (manifest.json beside bagit.txt, not in a
     copy that casekit left unfinished), and the files that belong to none. */
  function findBundles(files) {
    var byPath = new Map();
    files.forEach(function (f) { byPath.set(f.webkitRelativePath || f.name, f); });
    var roots = [];
    byPath.forEach(function (file, path) {
      if (!/(^|\/)manifest\.json$/.test(path)) return;
      var root = path.slice(0, -MANIFEST.length);
      if (byPath.has(root + "bagit.txt") && !temporary(root)) {
        roots.push(root);
      }
    });
    roots.sort();
    var outside = [];
    byPath.forEach(function (file, path) {
      if (!roots.some(function (root) { return path.indexOf(root) === 0; })) outside.push(path);
    });
    outside.sort();
    return { byPath: byPath, roots: roots, outside: outside };
  }

  /* Paths as seen from the picked folder, without its own name when it is the bundle. */
  function shown(found, root, path) {
    var top = root.split("/")[0] + "/";
    return (found.roots.length === 1 && root === top ? "" : root.slice(top.length)) + path;
  }

  function checkBundle(found, root, progress) {
    var files = new Map();
    found.byPath.forEach(function (file, path) {
      if (path.indexOf(root) === 0) files.set(path.slice(root.length), file);
    });
    var result = { root: root, fingerprint: "", differences: [], failed: false };
    function add(label, path) {
      result.differences.push(say(label, { path: shown(found, root, path) }));
      result.failed = true;
    }
    var manifestBytes;
    return files.get(MANIFEST).arrayBuffer().then(function (buffer) {
      manifestBytes = buffer;
      return sha256(buffer);
    }).then(function (fingerprint) {
      result.fingerprint = fingerprint;
      var text, manifest;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(manifestBytes);
        manifest = JSON.parse(text);
        if (!Array.isArray(manifest.files)) throw new Error("no files");
      } catch (problem) {
        add(labels.damaged, MANIFEST);
        return null;
      }
      if (trusted && !trusted.has(fingerprint)) {
        result.differences.push(say(labels.untrusted, { path: shown(found, root, ""), fingerprint: fingerprint }));
        result.failed = true;
        return null;
      }
      return sha256(new TextEncoder().encode(ownText || "")).then(function (own) {
        if (!trusted && fingerprint !== own) {
          result.differences.push(say(labels.other, { path: shown(found, root, ""), fingerprint: fingerprint }));
        }
        return checkFiles(manifest, text, files, add, progress);
      }).then(function () {
        return checkApprovals(files, add, result, function (p) { return shown(found, root, p); });
      });
    }).then(function () { return result; });
  }

  /* The tag manifest binds manifest.json (checked above, and through it every payload
     file) and the other tag files to the hash the approvals sign. */
  function checkTagManifest(files, add) {
    var tags = files.get(TAGMANIFEST);
    if (!tags) { add(labels.missing, TAGMANIFEST); return Promise.resolve(null); }
    return tags.arrayBuffer().then(function (buffer) {
      var chain = Promise.resolve();
      new TextDecoder().decode(buffer).split("\n").forEach(function (line) {
        var cut = line.indexOf(" ");
        if (cut < 0) return;
        var digest = line.slice(0, cut).toLowerCase();
        var path = line.slice(cut).trim().replace(/%0A/gi, "\n").replace(/%0D/gi, "\r").replace(/%25/g, "%");
        chain = chain.then(function () {
          var file = files.get(path);
          if (!file) { add(labels.missing, path); return null; }
          return hashFile(file).then(function (found) {  /* sliced: a forged list may name a video */
            if (found !== digest) add(labels.modified, path);
          });
        });
      });
      return chain.then(function () { return sha256(buffer); });
    });
  }

  function sameRole(role) {
    return role.split(/\s+/).filter(Boolean).join(" ").toLowerCase();
  }

  function readApproval(file) {
    if (file.size > 65536) return Promise.reject(new Error("too large"));
    return file.text().then(function (text) {
      var outer = JSON.parse(text);
      var statement = JSON.parse(outer.statement);
      var key = bytesOf(statement.key);
      var signature = bytesOf(outer.signature);
      if (outer.casekit_approval !== 1 || statement.casekit_statement !== 1 ||
          key.length !== 32 || signature.length !== 64) throw new Error("not an approval");
      return crypto.subtle.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]).then(function (imported) {
        return crypto.subtle.verify({ name: "Ed25519" }, imported, signature, new TextEncoder().encode(outer.statement));
      }).then(function (good) {
        return sha256(key).then(function (digest) {
          return { statement: statement, good: good, key: short(digest) };
        });
      });
    });
  }

  function checkApprovals(files, add, result, where) {
    var paths = Array.from(files.keys()).filter(isApproval).sort();
    result.approvals = [];
    function line(label, values, failed) {
      result.approvals.push(say(label, values));
      if (failed) result.failed = true;
    }
    function missingRoles(roles) {
      requiredRoles.forEach(function (role) {
        if (!roles.has(sameRole(role))) line(labels.roleMissing, { role: role }, true);
      });
    }
    if (!paths.length) {
      line(labels.notApproved, {}, trustedKeys !== null);
      missingRoles(new Set());
      return Promise.resolve();
    }
    if (!(window.crypto && crypto.subtle)) { line(labels.noEd25519, {}, trustedKeys !== null); return Promise.resolve(); }
    return checkTagManifest(files, add).then(function (content) {
      var seen = new Set();
      var roles = new Set();
      var valid = 0;
      var chain = Promise.resolve();
      paths.forEach(function (path) {
        chain = chain.then(function () {
          return readApproval(files.get(path)).then(function (found) {
            var s = found.statement;
            var trusted = trustedKeys ? trustedKeys.get(found.key) : null;
            var values = { path: where(path), reviewer: trusted ? trusted.reviewer : String(s.reviewer),
              role: String(s.role), date: String(s.date), fingerprint: found.key };
            if (!found.good || s.key_fingerprint !== found.key) line(labels.approvalForged, values, true);
            else if (s.tagmanifest_sha256 !== content) line(labels.approvalOther, values, true);
            else if (trustedKeys && (!trusted || trusted.key !== s.key)) line(labels.approvalUnknown, values, false);
            else if (s.decision === "rejected") line(labels.rejected, values, true);
            else if (seen.has(found.key)) line(labels.approvalDuplicate, values, false);
            else if (s.decision !== "approved") line(labels.approvalForged, values, true);
            else {
              seen.add(found.key); roles.add(sameRole(String(s.role))); valid++;
              line(labels.approved, values, false);
            }
          }, function (problem) {
            if (problem && problem.name === "NotSupportedError") line(labels.noEd25519, {}, trustedKeys !== null);
            else line(labels.approvalForged, { path: where(path) }, true);
          });
        });
      });
      return chain.then(function () {
        if (trustedKeys && !valid) line(labels.notTrusted, {}, true);
        missingRoles(roles);
      });
    });
  }

  function checkFiles(manifest, text, files, add, progress) {
    var expected = new Map();
    manifest.files.forEach(function (entry) { expected.set(String(entry.path), entry); });
    var chain = Promise.resolve();
    expected.forEach(function (entry, path) {
      chain = chain.then(function () {
        progress();
        var file = files.get(path);
        if (!file) { add(labels.missing, path); return null; }
        if (file.size !== entry.size) { add(labels.modified, path); return null; }
        return hashFile(file).then(function (digest) {
          if (digest !== entry.sha256) add(labels.modified, path);
        });
      });
    });
    return chain.then(function () {
      var script = files.get(MANIFEST_SCRIPT);
      if (!script) { add(labels.missing, MANIFEST_SCRIPT); return null; }
      return script.text().then(function (written) {
        if (written !== manifestScript(text)) add(labels.modified, MANIFEST_SCRIPT);
      });
    }).then(function () {
      Array.from(files.keys()).sort().forEach(function (path) {
        if (!expected.has(path) && !METADATA.has(path) && !isApproval(path)) add(labels.extra, path);
      });
    });
  }

  function check(found) {
    var total = found.byPath.size - found.outside.length;
    var done = 0;
    var progressLine = document.getElementById("progress");
    function progress() {
      progressLine.textContent = say(labels.checking, { done: ++done, total: total });
    }
    var results = [];
    var chain = Promise.resolve();
    found.roots.forEach(function (root) {
      chain = chain.then(function () {
        return checkBundle(found, root, progress).then(function (result) { results.push(result); });
      });
    });
    return chain.then(function () {
      var lines = [];
      var failed = false;
      var prints = [];
      var approvals = [];
      results.forEach(function (result) {
        failed = failed || result.failed;
        lines = lines.concat(result.differences);
        var prefix = found.roots.length > 1 ? shown(found, result.root, "") + ": " : "";
        approvals = approvals.concat((result.approvals || []).map(function (text) { return prefix + text; }));
        prints.push((found.roots.length > 1 ? shown(found, result.root, "") + ": " : "") + result.fingerprint);
      });
      found.outside.forEach(function (path) {
        var name = path.split("/").pop();
        if (temporary(path)) { lines.push(say(labels.leftover, { path: path })); failed = true; }
        else if (runnable(name)) { lines.push(say(labels.runnableFile, { path: path })); failed = true; }
        else lines.push(say(labels.outside, { path: path }));
      });
      document.getElementById("fingerprint").textContent = labels.fingerprint + " " + prints.join(", ");
      return { failed: failed, lines: lines, approvals: approvals };
    });
  }

  function report(outcome) {
    var verdict = document.getElementById("verdict");
    var list = document.getElementById("differences");
    verdict.hidden = false;
    verdict.className = "verdict " + (outcome.failed ? "fail" : "pass");
    verdict.textContent = outcome.failed ? labels.fail : labels.pass;
    list.textContent = "";
    outcome.lines.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    var approvals = document.getElementById("approvals");
    approvals.textContent = "";
    (outcome.approvals || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      approvals.appendChild(li);
    });
    document.getElementById("approvals-section").hidden = !(outcome.approvals || []).length;
  }

  document.getElementById("folder").addEventListener("change", function (event) {
    var found = findBundles(Array.prototype.slice.call(event.target.files));
    if (!found.roots.length) { report({ failed: true, lines: [labels.noBundle] }); return; }
    check(found).then(report, function (problem) { report({ failed: true, lines: [String(problem)] }); });
  });
})();
