#!/usr/bin/env sh
# System packages the test suite needs beyond pip: Debian's Chromium and its driver, for the
# web app's real-browser tests, and eSpeak NG, the voice of the customer in voice calls.
# Does nothing when all are installed already.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && command -v espeak-ng >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install Chromium and chromedriver at /usr/bin/chromium and /usr/bin/chromedriver," \
        "and espeak-ng (Debian/Ubuntu: apt-get install chromium chromium-driver espeak-ng)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver espeak-ng
