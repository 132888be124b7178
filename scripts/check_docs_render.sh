#!/usr/bin/env bash
# Render the ontology documentation (out/docs/index.html, written by `kg docs`) with
# headless Chromium to a PNG, so that a person can look at the page and its class
# diagram without a browser. Chromium is not installed in CI by default: when
# /usr/bin/chromium is missing, this script says so and exits 0 (skipped).
#
#   scripts/check_docs_render.sh [DOCS_DIR]     (default out/docs; writes DOCS_DIR/index.png)
#
# Debian: apt-get install -y chromium. No network is used: the page is self-contained
# and the flags below turn off Chromium's own background traffic.
set -euo pipefail
cd "$(dirname "$0")/.."

DOCS_DIR="${1:-out/docs}"
PAGE="$DOCS_DIR/index.html"
PNG="$DOCS_DIR/index.png"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [[ ! -x "$CHROMIUM" ]]; then
    echo "skipped: $CHROMIUM not found (install the Debian package 'chromium' to render $PAGE)"
    exit 0
fi
if [[ ! -f "$PAGE" ]]; then
    echo "error: $PAGE not found; run 'kg docs -o $DOCS_DIR' first" >&2
    exit 2
fi

PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
rm -f "$PNG"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$PROFILE" \
    --screenshot="$PNG" --window-size=1400,2000 "file://$(realpath "$PAGE")" 2>"$PROFILE/chromium.log" || {
        echo "error: chromium failed:" >&2
        tail -n 20 "$PROFILE/chromium.log" >&2
        exit 1
    }
if [[ ! -s "$PNG" ]]; then
    echo "error: chromium wrote no screenshot ($PNG)" >&2
    exit 1
fi
echo "rendered $PAGE -> $PNG ($(stat -c %s "$PNG") bytes)"
