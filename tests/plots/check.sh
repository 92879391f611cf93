#!/usr/bin/env bash
# Checks SVG charts and HTML report pages in a real browser.
#
#   tests/plots/check.sh              compile tests/plots/demo.swift with the Plots sources,
#                                     write its sample charts and index.html, check them all
#   tests/plots/check.sh FILE...      check existing .svg/.html files (anant plot's output)
#
# For each file: the source is self-contained (and an SVG well-formed XML with an <svg>
# root); headless Chromium loads it with no parse error and the <svg> elements in its DOM,
# prints no message about the page while taking a 900x650 screenshot, and the screenshot is
# not blank. Installs the Debian package chromium when missing (as root). Keeps the
# screenshots in PLOTS_OUT if set, else in a temporary folder removed on success.
# Ends with 'N passed, N failed'; exits non-zero when anything failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${PLOTS_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/anant-plots.XXXXXX")}
mkdir -p "$out"

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "chromium is missing: install the Debian package chromium" >&2
        exit 1
    fi
    echo "installing chromium" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
for tool in python3 swiftc; do
    if ! command -v "$tool" >/dev/null 2>&1 && { [ "$tool" = python3 ] || [ $# -eq 0 ]; }; then
        echo "$tool is missing" >&2
        exit 1
    fi
done

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    echo "compiling the demo" >&2
    swiftc -O -parse-as-library -swift-version 6 -enable-upcoming-feature ExistentialAny -o "$out/plotdemo" \
        "$root"/Sources/AnantOperations/Plots/*.swift "$here/demo.swift"
    mapfile -t files < <("$out/plotdemo" "$out/demo")
    if [ ${#files[@]} -eq 0 ]; then
        echo "the demo wrote no files" >&2
        exit 1
    fi
fi

chrome=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,650)
passed=0
failed=0
index=0
for file in "${files[@]}"; do
    index=$((index + 1))
    name="$index-$(basename "$file")"
    ok=1
    case "$file" in
        *.svg | *.SVG | *.html | *.htm) ;;
        *) echo "FAIL $file: not an .svg or .html file"; failed=$((failed + 1)); continue ;;
    esac
    if [ ! -f "$file" ]; then
        echo "FAIL $file: no such file"; failed=$((failed + 1)); continue
    fi
    url="file://$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
    python3 "$here/plotcheck.py" source "$file" || ok=0
    timeout 60 "${chrome[@]}" --dump-dom "$url" >"$out/$name.dom" 2>/dev/null || true
    python3 "$here/plotcheck.py" dom "$file" "$out/$name.dom" || ok=0
    if timeout 60 "${chrome[@]}" --enable-logging=stderr --v=0 --screenshot="$out/$name.png" "$url" \
        >"$out/$name.log" 2>&1 && [ -s "$out/$name.png" ]; then
        python3 "$here/plotcheck.py" log "$file" "$out/$name.log" || ok=0
        python3 "$here/plotcheck.py" png "$out/$name.png" || ok=0
    else
        echo "FAIL $file: Chromium took no screenshot (log: $out/$name.log)"
        ok=0
    fi
    if [ $ok -eq 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

if [ $failed -eq 0 ] && [ -z "${PLOTS_OUT:-}" ]; then
    rm -rf "$out"
else
    echo "screenshots and logs in $out" >&2
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
