#!/bin/sh
# Install the Virtuoso open-source triple store from Debian/Ubuntu packages (virtuoso-opensource 7.2.x),
# for `make test-virtuoso`. Idempotent: does nothing when virtuoso-t is already installed.
# Needs root (or passwordless sudo) and apt-get. The package does not start a server: the tests
# start their own private instance on free ports in a temporary directory (tests/virtuoso.py).
set -eu

if command -v virtuoso-t >/dev/null 2>&1; then
    echo "virtuoso-t already installed: $(command -v virtuoso-t) ($(virtuoso-t -? 2>&1 | grep -m1 -i version || echo 'version unknown'))"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_virtuoso.sh: apt-get not found; install Virtuoso 7 (virtuoso-t, isql-vt) by other means" >&2
    exit 2
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "install_virtuoso.sh: needs root to run apt-get (run it as root, or with passwordless sudo)" >&2
    exit 2
fi

export DEBIAN_FRONTEND=noninteractive
echo "apt-get update"
$SUDO apt-get update -q
echo "apt-get install -y virtuoso-opensource"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource

if ! command -v virtuoso-t >/dev/null 2>&1; then
    echo "install_virtuoso.sh: virtuoso-opensource installed but virtuoso-t is not on PATH" >&2
    exit 2
fi
echo "installed: $(command -v virtuoso-t), $(command -v isql-vt || echo 'isql-vt missing')"
