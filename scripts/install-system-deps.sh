#!/usr/bin/env sh
# System packages the test suite needs beyond pip: Debian's Chromium and its driver, for the
# web app's real-browser tests. Does nothing when both are installed already.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install Chromium and chromedriver at /usr/bin/chromium and /usr/bin/chromedriver" \
        "(Debian/Ubuntu: apt-get install chromium chromium-driver)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
