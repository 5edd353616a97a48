#!/usr/bin/env sh
# System packages the test suite needs beyond pip, installed with apt-get when missing:
# - Debian's Chromium and its driver, for the web app's real-browser tests;
# - eSpeak NG, the voice of the customer in voice calls;
# - Debian's PostgreSQL server, which the storage and web tests start a throwaway cluster of
#   (tests/postgres_server.py) to run on PostgreSQL as well as SQLite.
# Does nothing when all are installed already.
set -eu

PACKAGES=""
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    PACKAGES="chromium chromium-driver"
fi
if ! command -v espeak-ng >/dev/null 2>&1; then
    PACKAGES="$PACKAGES espeak-ng"
fi
if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    PACKAGES="$PACKAGES postgresql"
fi
if [ -z "$PACKAGES" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install these system packages (Debian/Ubuntu names):$PACKAGES;" \
        "Chromium and chromedriver at /usr/bin/chromium and /usr/bin/chromedriver," \
        "espeak-ng and the PostgreSQL server's initdb and pg_ctl on PATH" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y $PACKAGES
