#!/bin/sh
# Install Debian's Chromium and its WebDriver (packages chromium, chromium-driver) for the browser tests
# of the review application (tests/test_review_browser.py) and `make screenshots`.
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver are there.
# Needs root (or passwordless sudo) and apt-get; waits for another apt-get to release its lock.
set -eu

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser.sh: apt-get not found; install chromium and chromedriver by other means" >&2
    exit 2
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install_browser.sh: needs root to run apt-get (run it as root, or with passwordless sudo)" >&2
    exit 2
fi

export DEBIAN_FRONTEND=noninteractive
LOCK="-o DPkg::Lock::Timeout=600"
echo "apt-get install chromium chromium-driver"
$SUDO apt-get $LOCK update -q >/dev/null
$SUDO apt-get $LOCK install -y -q --no-install-recommends chromium chromium-driver >/dev/null
test -x /usr/bin/chromium && test -x /usr/bin/chromedriver
