#!/usr/bin/env bash
# Make sure Debian's Chromium is installed before the tests run: the console's browser
# tests drive it through Playwright (the browser cannot be downloaded here). They never
# skip: if it cannot be installed, they fail.
set -u
BROWSER=${ASSURE_TEST_BROWSER:-/usr/bin/chromium}
if [ -x "$BROWSER" ]; then
  exit 0
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
as_root apt-get install -y -q chromium >/dev/null 2>&1 \
  || { as_root apt-get update -q >/dev/null 2>&1 && as_root apt-get install -y -q chromium >/dev/null 2>&1; }
[ -x "$BROWSER" ] || echo "Chromium is not installed at $BROWSER; the browser tests will fail." >&2
exit 0
