#!/usr/bin/env bash
# Screenshots a benchmark report page (index.html) in headless Chromium and checks that the
# picture is not blank (scripts/png-stats.mjs: distinct colours and non-white pixel fraction).
# Why: the SVG charts are only useful if a browser draws them; this catches a page whose images
# do not load or whose SVG a browser rejects, which a well-formedness test cannot see.
# Usage: scripts/screenshot-report.sh <report-dir-or-index.html> [output.png]
#   default output: <report-dir>/screenshot.png. Needs Debian's chromium
#   (apt-get update && apt-get install -y chromium) or CHROMIUM=/path/to/chrome.
# Exit status: 0 drawn, 1 blank or no screenshot, 2 usage or missing browser.
set -euo pipefail

WINDOW_SIZE='1400,2400'
# Chromium sometimes lingers after writing the screenshot; never wait longer than this.
TIMEOUT_SECONDS=120

if [[ $# -lt 1 ]]; then
  echo 'Usage: scripts/screenshot-report.sh <report-dir-or-index.html> [output.png]' >&2
  exit 2
fi
target=$1
if [[ -d $target ]]; then target="$target/index.html"; fi
if [[ ! -f $target ]]; then
  echo "Cannot screenshot $target: no such file" >&2
  exit 2
fi
page=$(realpath "$target")
output=$(realpath -m "${2:-$(dirname "$page")/screenshot.png}")
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [[ -z $browser ]]; then
  echo 'Cannot screenshot: chromium is not installed (apt-get install -y chromium)' >&2
  exit 2
fi

profile=$(mktemp -d -t cowkv-chromium-XXXXXX)
trap 'rm -rf "$profile"' EXIT
rm -f "$output"
timeout "$TIMEOUT_SECONDS" "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
  --user-data-dir="$profile" --screenshot="$output" --window-size="$WINDOW_SIZE" "file://$page" \
  >"$profile/chromium.log" 2>&1 || true
if [[ ! -s $output ]]; then
  echo "Chromium wrote no screenshot to $output; its log:" >&2
  cat "$profile/chromium.log" >&2
  exit 1
fi
script_dir=$(dirname "$(realpath "$0")")
node "$script_dir/png-stats.mjs" "$output"
echo "Screenshot: $output"
