#!/usr/bin/env bash
# Install the Debian packages whose programs the tests use as real validators
# and clients. Does nothing for packages already present; needs root for apt-get.
set -euo pipefail

need=()
command -v qpdf >/dev/null || need+=(qpdf)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v chromium >/dev/null || need+=(chromium)
command -v java >/dev/null || need+=(default-jre-headless)
command -v ffmpeg >/dev/null || need+=(ffmpeg)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: not root; missing Debian packages: ${need[*]}" >&2
  echo "install-system-deps: tests that need them are skipped outside CI" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
