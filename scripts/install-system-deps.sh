#!/usr/bin/env bash
# Install the Debian packages whose programs the tests use as real validators
# and clients, and DAISY Ace (npm) into .tools/. Does nothing for what is
# already present; needs root for apt-get.
set -euo pipefail

need=()
command -v qpdf >/dev/null || need+=(qpdf)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v chromium >/dev/null || need+=(chromium)
# a JDK, not only a JRE: tests/validators.py runs EPUBCheck in one JVM for the whole
# session from a Java source file (a bare JRE falls back to one JVM per book)
command -v javac >/dev/null || need+=(default-jdk-headless)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v npm >/dev/null || need+=(nodejs npm)
command -v lou_translate >/dev/null || need+=(liblouis-bin)
[ -f /usr/share/liblouis/tables/kk.utb ] || need+=(liblouis-data)
# Debian's own liblouis binding: the Braille tests read dots (virtual dot 9) back with it
/usr/bin/python3 -c "import louis" 2>/dev/null || need+=(python3-louis)
command -v espeak-ng >/dev/null || need+=(espeak-ng)
# the stick-identity tests format FAT images (they run only as root, on loop devices)
command -v mkfs.vfat >/dev/null || need+=(dosfstools)
# the learner-register tests start their own PostgreSQL server (initdb + pg_ctl)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)

if [ ${#need[@]} -eq 0 ]; then
  :
elif [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: not root; missing Debian packages: ${need[*]}" >&2
  echo "install-system-deps: tests that need them are skipped outside CI" >&2
else
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# DAISY Ace, the EPUB accessibility checker (tests/test_epub.py). --ignore-scripts
# skips its post-install downloads (Electron, Chromium); the tests run it with
# ace-puppeteer and the Debian chromium.
tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
if [ ! -x "$tools/node_modules/.bin/ace-puppeteer" ] && command -v npm >/dev/null; then
  npm install --prefix "$tools" --ignore-scripts --no-audit --no-fund --silent "@daisy/ace@^1.4"
fi

# The learning-platform side of the LMS package tests: gift-pegjs, a GIFT parser, reads
# back the Moodle question bank (tests/test_moodle_questions.py); scorm-again is the real
# SCORM 1.2 runtime the SCORM package runs under (tests/test_scorm12.py).
if { [ ! -f "$tools/node_modules/gift-pegjs/package.json" ] ||
  [ ! -f "$tools/node_modules/scorm-again/dist/scorm12.js" ]; } && command -v npm >/dev/null; then
  npm install --prefix "$tools" --ignore-scripts --no-audit --no-fund --silent \
    "gift-pegjs@^1.0.2" "scorm-again@^2.6"
fi
