#!/usr/bin/env bash
# Tests the shell completions, the man pages and scripts/install, against a built anant:
#   1. `anant --generate-completion-script bash|zsh|fish` each print a non-empty script
#      that parses (bash -n; zsh -n and fish -n when those shells are installed, else
#      skipped with a message);
#   2. the bash script completes: sourced in a clean bash, its registered function
#      (`complete -p anant`) called with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as
#      bash sets them offers `centrality` for `anant cen`, `--measure` for
#      `anant centrality --mea`, the measures for `--measure ha`, and nested subcommands
#      (`anant cluster u` -> up, `anant meta p` -> put); fish completes the same when
#      installed;
#   3. the man pages: every docs/man page renders with no warning (groff -ww for the utf8
#      and ascii devices, and `man --warnings -l`), anant.1 lists every subcommand of
#      `anant --experimental-dump-help` (nested ones as `meta put`) and each has its page
#      (anant-meta-put.1), and `scripts/generate-man --check` finds docs/man up to date
#      with the binary;
#   4. `scripts/install --bin ANANT_BIN --prefix TMP` installs the binaries, the pages and
#      the three completion scripts, `MANPATH=TMP/share/man man -w anant` finds the page,
#      the installed bash completion completes, a second run is a no-op, and
#      `--uninstall` removes every file (and the folders it created).
#
# Environment: ANANT_BIN (default: .build/debug of the repository) holds `anant` (and the
# service executables, installed too when present). Needs python3 (for the dump and
# scripts/generate-man), groff and man-db. Exits 0 when every check passes.
# shellcheck disable=SC2015  # `check && pass ... || fail ...`: pass always succeeds
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ANANT_BIN="${ANANT_BIN:-$ROOT/.build/debug}"
ANANT_BIN="$(cd "$ANANT_BIN" && pwd)"
ANANT="$ANANT_BIN/anant"
[ -x "$ANANT" ] || { echo "no anant in $ANANT_BIN (set ANANT_BIN, or swift build)" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/anant-completions-test.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
FAILED=0
STARTED=$(date +%s%N)

seconds() { awk -v a="$STARTED" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
say() { printf '==> [%ss] %s\n' "$(seconds)" "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; FAILED=$((FAILED + 1)); }
pass() { printf 'ok:   %s\n' "$*"; }
skip() { printf 'skip: %s\n' "$*"; }

# ---------------------------------------------------------------------------------------
say "1. completion scripts ($ANANT)"
for shell in bash zsh fish; do
  if "$ANANT" --generate-completion-script "$shell" > "$TMP/anant.$shell" 2> "$TMP/err"; then
    if [ -s "$TMP/anant.$shell" ]; then pass "$shell script generated ($(wc -l < "$TMP/anant.$shell") lines)"
    else fail "$shell script is empty"; fi
  else
    fail "anant --generate-completion-script $shell failed: $(head -3 "$TMP/err")"
  fi
done

check_syntax() {  # shell, command...
  local shell=$1; shift
  if ! command -v "$shell" >/dev/null; then
    skip "$shell -n: $shell is not installed (apt-get install $shell)"
  elif "$@" "$TMP/anant.$shell" 2> "$TMP/err"; then
    pass "$* parses the $shell script"
  else
    fail "$* rejects the $shell script: $(head -5 "$TMP/err")"
  fi
}
check_syntax bash bash -n
check_syntax zsh zsh -n
check_syntax fish fish -n
head -1 "$TMP/anant.zsh" | grep -qx '#compdef anant' && pass "the zsh script starts with #compdef anant" ||
  fail "the zsh script does not start with '#compdef anant'"

# ---------------------------------------------------------------------------------------
say "2. completing"
# Prints the candidates the registered completion function offers for a command line
# (completing its last word), in a bash with no startup files.
complete_bash() {  # script, words...
  local script=$1; shift
  PATH="$ANANT_BIN:$PATH" bash --norc --noprofile -c '
    source "$1" || exit 3; shift
    spec=$(complete -p anant 2>/dev/null) || { echo "no completion registered for anant" >&2; exit 4; }
    function=$(sed -n "s/.* -F \([^ ]*\) .*/\1/p" <<< "$spec")
    [ -n "$function" ] || { echo "no -F function in: $spec" >&2; exit 5; }
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMP_TYPE=9; COMP_KEY=9
    COMPREPLY=()
    "$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"
  ' completion-test "$script" "$@"
}
expect_bash() {  # script, expected candidate, words...
  local script=$1 expected=$2; shift 2
  local got
  if ! got=$(complete_bash "$script" "$@" 2>&1); then
    fail "bash: '$*' -> error: $got"
  elif grep -qxF -- "$expected" <<< "$got"; then
    pass "bash: '$*' offers $expected ($(grep -c . <<< "$got") candidates)"
  else
    fail "bash: '$*' does not offer $expected (got: $(tr '\n' ' ' <<< "$got"))"
  fi
}
bash_cases() {  # script
  expect_bash "$1" centrality anant cen
  expect_bash "$1" --measure anant centrality --mea
  expect_bash "$1" harmonic anant centrality in.json --measure ha
  expect_bash "$1" up anant cluster u
  expect_bash "$1" put anant meta p
}
bash_cases "$TMP/anant.bash"
got=$(complete_bash "$TMP/anant.bash" anant cen)
[ "$got" = centrality ] && pass "bash: 'anant cen' offers only centrality" ||
  fail "bash: 'anant cen' offers more than centrality: $(tr '\n' ' ' <<< "$got")"

if command -v fish >/dev/null; then
  got=$(PATH="$ANANT_BIN:$PATH" fish --no-config -c "source $TMP/anant.fish; complete -C 'anant cen'; complete -C 'anant centrality --mea'" 2>&1 | cut -f1)
  for expected in centrality --measure; do
    grep -qxF -- "$expected" <<< "$got" && pass "fish offers $expected" ||
      fail "fish does not offer $expected (got: $(tr '\n' ' ' <<< "$got"))"
  done
else
  skip "fish completion: fish is not installed"
fi

# ---------------------------------------------------------------------------------------
say "3. man pages (docs/man)"
MAN="$ROOT/docs/man"
pages=("$MAN"/anant*.1)
[ -f "$MAN/anant.1" ] || fail "no $MAN/anant.1: run scripts/generate-man"
# groff on every page (one run per device: a warning names its file and line), and man
# itself (which runs groff the same way, at ~70 ms a page) on a few.
warned=0
for device in utf8 ascii; do
  out=$(groff -man -ww -z -T"$device" "${pages[@]}" 2>&1)
  [ -z "$out" ] || { fail "groff -man -ww -T$device warns: $(head -20 <<< "$out")"; warned=1; }
done
for page in anant.1 anant-centrality.1 anant-cluster-up.1 anant-meta-put.1 anant-generate.1; do
  for locale in C.UTF-8 C; do
    out=$(LC_ALL=$locale MANWIDTH=80 man --warnings -l "$MAN/$page" 2>&1 >/dev/null)
    [ -z "$out" ] || { fail "LC_ALL=$locale man --warnings warns on $page: $out"; warned=1; }
  done
done
[ "$warned" -eq 1 ] || pass "${#pages[@]} pages render with no warning (groff -man -ww -Tutf8 and -Tascii; man --warnings -l on 5 of them, UTF-8 and C locales)"

if command -v python3 >/dev/null; then
  "$ANANT" --experimental-dump-help > "$TMP/dump.json"
  # Every displayed subcommand but help, as "parent child" words.
  python3 - "$TMP/dump.json" > "$TMP/commands" <<'EOF'
import json, sys
def walk(command, path):
    for sub in command.get("subcommands", []):
        if sub.get("shouldDisplay", True) and not (not path and sub["commandName"] == "help"):
            print(" ".join(path + [sub["commandName"]]))
            walk(sub, path + [sub["commandName"]])
walk(json.load(open(sys.argv[1]))["command"], [])
EOF
  MANWIDTH=200 man -l "$MAN/anant.1" 2>/dev/null | col -b > "$TMP/anant.txt"
  missing=() nopage=()
  while read -r command; do
    # In COMMANDS each is a tag (indented by 7) whose paragraph ends "See anant-X(1)."
    grep -qE "^       $command( |\$)" "$TMP/anant.txt" && grep -qF "See anant-${command// /-}(1)." "$TMP/anant.txt" ||
      missing+=("$command")
    page="$MAN/anant-${command// /-}.1"
    if [ ! -f "$page" ]; then nopage+=("$command")
    else
      name="anant-${command// /-}" name_line=$(sed -n '/^\.SH NAME/{n;p;q}' "$page")
      case "$name_line" in "${name//-/\\-} \\- "?*) ;; *) nopage+=("$command (NAME: $name_line)") ;; esac
    fi
  done < "$TMP/commands"
  total=$(grep -c . "$TMP/commands")
  [ ${#missing[@]} -eq 0 ] && pass "anant.1 lists all $total subcommands" || fail "anant.1 does not list: ${missing[*]}"
  [ ${#nopage[@]} -eq 0 ] && pass "each of the $total subcommands has its page (anant-meta-put.1, ...)" ||
    fail "missing or wrong pages: ${nopage[*]}"
  for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS EXAMPLES ENVIRONMENT FILES "SEE ALSO"; do
    grep -qx "$section" "$TMP/anant.txt" || fail "anant.1 has no $section section"
  done
  grep -q ANANT_THREADS "$TMP/anant.txt" && grep -q ANANT_TOKEN "$TMP/anant.txt" &&
    pass "anant.1 has its sections, ANANT_THREADS and ANANT_TOKEN" || fail "anant.1 lacks ANANT_THREADS or ANANT_TOKEN"
  if out=$("$ROOT/scripts/generate-man" --check --bin "$ANANT" 2>&1); then pass "$out"
  else fail "docs/man is stale: $(tail -1 <<< "$out")"; printf '%s\n' "$out" | head -20; fi
else
  skip "the subcommand list and scripts/generate-man --check: python3 is not installed"
fi

# ---------------------------------------------------------------------------------------
say "4. scripts/install --bin $ANANT_BIN --prefix $TMP/prefix"
PREFIX="$TMP/prefix"
if "$ROOT/scripts/install" --bin "$ANANT_BIN" --prefix "$PREFIX" > "$TMP/install.log" 2>&1; then
  pass "scripts/install: $(grep -c . "$TMP/install.log") lines of messages, $(grep -c '^file ' "$PREFIX/share/anant/install-manifest") files in the manifest"
else
  fail "scripts/install failed:"; cat "$TMP/install.log"
fi
expected_files=("$PREFIX/bin/anant" "$PREFIX/share/man/man1/anant.1" "$PREFIX/share/man/man1/anant-cluster-up.1"
  "$PREFIX/share/man/man1/anant-meta-put.1" "$PREFIX/share/anant/install-manifest")
for service in anant-metadata anant-storage anant-compute anant-gateway; do
  [ ! -x "$ANANT_BIN/$service" ] || expected_files+=("$PREFIX/bin/$service")
done
absent=()
for f in "${expected_files[@]}"; do [ -s "$f" ] || absent+=("$f"); done
[ ${#absent[@]} -eq 0 ] && pass "binaries, man pages and manifest landed (${#expected_files[@]} checked)" || fail "not installed: ${absent[*]}"
installed_pages=$(find "$PREFIX/share/man/man1" -name 'anant*.1' 2>/dev/null | wc -l)
[ "$installed_pages" -eq "${#pages[@]}" ] && pass "all ${#pages[@]} pages installed" ||
  fail "$installed_pages pages installed, docs/man has ${#pages[@]}"
declare -A completion=([bash]=share/bash-completion/completions/anant [zsh]=share/zsh/site-functions/_anant
  [fish]=share/fish/vendor_completions.d/anant.fish)
for shell in bash zsh fish; do
  cmp -s "$PREFIX/${completion[$shell]}" "$TMP/anant.$shell" && pass "$shell completion at ${completion[$shell]}" ||
    fail "$shell completion missing or different at $PREFIX/${completion[$shell]}"
done
found=$(MANPATH="$PREFIX/share/man" man -w anant 2>&1 || true)
[ "$found" = "$PREFIX/share/man/man1/anant.1" ] && pass "MANPATH=PREFIX/share/man man -w anant: $found" ||
  fail "man -w anant found '$found'"
found=$(MANPATH="$PREFIX/share/man" man -w anant-cluster-up 2>&1 || true)
[ "$found" = "$PREFIX/share/man/man1/anant-cluster-up.1" ] && pass "man -w anant-cluster-up finds the nested page" ||
  fail "man -w anant-cluster-up found '$found'"
expect_bash "$PREFIX/${completion[bash]}" --measure anant centrality --mea

cp "$PREFIX/share/anant/install-manifest" "$TMP/manifest.1"
before=$(cd "$PREFIX" && find . -printf '%p %s %m\n' | LC_ALL=C sort | md5sum)
if "$ROOT/scripts/install" --bin "$ANANT_BIN" --prefix "$PREFIX" > "$TMP/install2.log" 2>&1 &&
   after=$(cd "$PREFIX" && find . -printf '%p %s %m\n' | LC_ALL=C sort | md5sum) && [ "$before" = "$after" ] &&
   cmp -s "$TMP/manifest.1" "$PREFIX/share/anant/install-manifest"; then
  pass "a second install is idempotent (same files, same manifest)"
else
  fail "the second install differs:"; cat "$TMP/install2.log"
fi

mapfile -t listed < <(awk '$1 == "file" { sub(/^file /, ""); print }' "$TMP/manifest.1")
if "$ROOT/scripts/install" --prefix "$PREFIX" --uninstall > "$TMP/uninstall.log" 2>&1; then
  pass "scripts/install --uninstall: $(tail -1 "$TMP/uninstall.log" | sed 's/^\[install\] //')"
else
  fail "scripts/install --uninstall failed:"; cat "$TMP/uninstall.log"
fi
left=()
for f in "${listed[@]}"; do [ ! -e "$f" ] || left+=("$f"); done
[ ${#left[@]} -eq 0 ] && pass "all ${#listed[@]} installed files are gone" || fail "left after --uninstall: ${left[*]}"
[ ! -e "$PREFIX" ] && pass "the folders the install created are gone ($PREFIX too)" ||
  fail "left after --uninstall: $(cd "$PREFIX" && find . | head -10 | tr '\n' ' ')"
"$ROOT/scripts/install" --prefix "$PREFIX" --uninstall > /dev/null 2>&1 && pass "a second --uninstall is a no-op" ||
  fail "a second --uninstall failed"

# ---------------------------------------------------------------------------------------
elapsed=$(seconds)
if [ "$FAILED" -gt 0 ]; then
  printf '\n%d check(s) FAILED (%ss)\n' "$FAILED" "$elapsed"
  exit 1
fi
printf '\nevery check passed (%ss)\n' "$elapsed"
