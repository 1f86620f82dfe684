#!/usr/bin/env bash
# Make sure Debian's Chromium is installed before the tests run: the console's browser
# tests drive it through Playwright (the browser cannot be downloaded here). They never
# skip: if it cannot be installed, they fail. A Chinese font comes with it, so that the
# screenshots of the Chinese pages are readable (people's own machines have one).
set -u
BROWSER=${ASSURE_TEST_BROWSER:-/usr/bin/chromium}
PACKAGES="chromium fonts-wqy-microhei"
if [ -x "$BROWSER" ] && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  exit 0
fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the package list splits on purpose
as_root apt-get install -y -q $PACKAGES >/dev/null 2>&1 \
  || { as_root apt-get update -q >/dev/null 2>&1 && as_root apt-get install -y -q $PACKAGES >/dev/null 2>&1; }
[ -x "$BROWSER" ] || echo "Chromium is not installed at $BROWSER; the browser tests will fail." >&2
exit 0
