#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it when it is missing and we can
# (root, or password-less sudo, with apt-get); otherwise say exactly what to do.
set -euo pipefail
CHROMIUM="${LOANHUB_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="missing"; fi
  fi
  if [ "$SUDO" != "missing" ]; then
    echo "== installing Chromium for the browser tests (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
    exit 0
  fi
fi
echo "The browser tests need Chromium at $CHROMIUM: install Debian's 'chromium' package" >&2
echo "(apt-get install chromium) or set LOANHUB_CHROMIUM to a Chromium binary." >&2
exit 1
