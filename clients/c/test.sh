#!/usr/bin/env bash
# Tests the C client end to end:
#   1. builds libanant_client.{a,so}, the example and the wire test, plain and with
#      -fsanitize=address,undefined (into clients/c/build/, gitignored);
#   2. runs the wire test under ASan/UBSan (a fake gateway sending malformed,
#      oversized, truncated, dripped and random frames; no cluster needed);
#   3. starts a local cluster (anant cluster up --compute 2 --storage 1), imports
#      data/samples/lesmis.hif.json as `lesmis`, and runs the example against its
#      gateway with the admin token: the degree batches, read with pyarrow, must equal
#      `anant degree --format json` row for row and count `anant info`'s nodes; the
#      centrality batches must equal `anant centrality`; the components count must equal
#      the CLI's; the records it writes must read back through `anant meta get`;
#   4. runs the ASan build of the example on the same calls, and on a bad token
#      (UNAUTHENTICATED), a missing dataset (NOT_FOUND) and a reader token writing
#      metadata (PERMISSION_DENIED): no leak, no sanitizer report;
#   5. always stops the cluster (trap).
#
# Environment: ANANT_BIN (default: .build/debug of the repository) holds `anant` and the
# service executables; PYTHON (default: .venv/bin/python of the repository) has pyarrow;
# CC (default: cc). Needs libprotobuf-c-dev. Exits 0 when every check passes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ANANT_BIN="${ANANT_BIN:-$ROOT/.build/debug}"
ANANT_BIN="$(cd "$ANANT_BIN" && pwd)"
ANANT="$ANANT_BIN/anant"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
JOBS="${JOBS:-2}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/anant-c-test.XXXXXX")"
CLUSTER="$TMP/cluster"
FAILED=0
STARTED=$(date +%s)

say() { printf '==> %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; FAILED=$((FAILED + 1)); }
pass() { printf 'ok:   %s\n' "$*"; }

cleanup() {
  local status=$?
  if [[ -f "$CLUSTER/cluster.json" ]]; then
    "$ANANT" cluster down --dir "$CLUSTER" >"$TMP/cluster-down.log" 2>&1 || echo "warning: cluster down failed (see $TMP/cluster-down.log)"
  fi
  if [[ $status -eq 0 && $FAILED -eq 0 ]]; then rm -rf "$TMP"; else echo "kept $TMP for inspection"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x "$ANANT" ]] || { echo "no anant executable in $ANANT_BIN: build it (swift build) or set ANANT_BIN"; exit 1; }
"$PYTHON" -c 'import pyarrow' 2>/dev/null || { echo "$PYTHON cannot import pyarrow: set PYTHON"; exit 1; }

# --- 1. Build -----------------------------------------------------------------------
say "building (release and ASan/UBSan)"
make -C "$HERE" -s -j"$JOBS" BUILD=build/release >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
make -C "$HERE" -s -j"$JOBS" BUILD=build/asan SANITIZE=1 >>"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; exit 1; }
if grep -q 'warning:' "$TMP/build.log"; then grep 'warning:' "$TMP/build.log"; fail "the build has warnings"; else pass "built without warnings"; fi
REL="$HERE/build/release"
ASAN="$HERE/build/asan"
for f in libanant_client.a libanant_client.so anant_example anant_example_shared; do
  [[ -f "$REL/$f" ]] || fail "missing $REL/$f"
done
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87"

# sanitizer_clean NAME: the run's stderr holds no sanitizer report.
sanitizer_clean() {
  if grep -qE 'Sanitizer|runtime error:' "$TMP/$1.err"; then
    cat "$TMP/$1.err"; fail "$1: sanitizer report"
  fi
}

# --- 2. Wire test -------------------------------------------------------------------
say "wire test (fake gateway, ASan/UBSan)"
if "$ASAN/wire_test" >"$TMP/wire.out" 2>"$TMP/wire.err"; then
  pass "wire test: $(tail -1 "$TMP/wire.out")"
else
  cat "$TMP/wire.out" "$TMP/wire.err"; fail "wire test"
fi
sanitizer_clean wire

# --- 3. Cluster ---------------------------------------------------------------------
say "starting a cluster in $CLUSTER"
"$ANANT" cluster up --dir "$CLUSTER" --compute 2 --storage 1 >"$TMP/cluster-up.log" 2>&1 || { cat "$TMP/cluster-up.log"; exit 1; }
"$ANANT" import "$ROOT/data/samples/lesmis.hif.json" lesmis --cluster "$CLUSTER" >"$TMP/import.log" 2>&1 || { cat "$TMP/import.log"; exit 1; }
GATEWAY="$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["gateway"])' "$CLUSTER/cluster.json")"
ADMIN="$CLUSTER/admin.token"
READER="$CLUSTER/reader.token"
pass "cluster up, lesmis imported, gateway $GATEWAY"

"$ANANT" info lesmis --cluster "$CLUSTER" --format json >"$TMP/info.json"
"$ANANT" degree lesmis --cluster "$CLUSTER" --format json >"$TMP/degree.json"
"$ANANT" centrality lesmis --measure betweenness --nodes --top 5 --cluster "$CLUSTER" --format json >"$TMP/centrality.json"
"$ANANT" components lesmis --cluster "$CLUSTER" --format json >"$TMP/components.json"

# example NAME BINARY EXPECTED_STATUS ARGS...: runs the example, output in $TMP/NAME.{out,err}.
example() {
  local name=$1 binary=$2 expected=$3
  shift 3
  local status=0
  "$binary" --gateway "$GATEWAY" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || status=$?
  if [[ $status -ne $expected ]]; then
    cat "$TMP/$name.out" "$TMP/$name.err"; fail "$name: exit status $status, expected $expected"
    return 1
  fi
}

# check_run NAME BINARY: the degree, centrality and components runs of one build.
check_run() {
  local tag=$1 binary=$2
  mkdir -p "$TMP/$tag-degree" "$TMP/$tag-centrality"
  if example "$tag-degree" "$binary" 0 --token-file "$ADMIN" --dataset lesmis --op degree \
       --save-dir "$TMP/$tag-degree" --meta-kind "c_test_$tag"; then
    grep -E '^(summary|metadata):' "$TMP/$tag-degree.out" | sed "s/^/      [$tag] /"
    if "$PYTHON" "$HERE/tests/check_arrow.py" degree "$TMP/$tag-degree" "$TMP/degree.json" "$TMP/info.json" >"$TMP/$tag-check.out" 2>&1; then
      pass "[$tag] $(cat "$TMP/$tag-check.out")"
    else
      cat "$TMP/$tag-check.out"; fail "[$tag] degree values"
    fi
    # The batch lines and the summary agree.
    local lines bytes summary_batches summary_bytes
    lines=$(awk '/^batch /{n++} END{print n+0}' "$TMP/$tag-degree.out")
    bytes=$(awk -F'bytes=' '/^batch /{s+=$2} END{print s+0}' "$TMP/$tag-degree.out")
    summary_batches=$(sed -n 's/^summary:.* batches=\([0-9]*\).*/\1/p' "$TMP/$tag-degree.out")
    summary_bytes=$(sed -n 's/^summary:.* arrow_bytes=\([0-9]*\).*/\1/p' "$TMP/$tag-degree.out")
    [[ "$lines" == "$summary_batches" && "$bytes" == "$summary_bytes" ]] \
      && pass "[$tag] $lines batch lines, $bytes bytes, as the summary says" \
      || fail "[$tag] batch lines ($lines, $bytes bytes) and summary ($summary_batches, $summary_bytes) differ"
    # The records it wrote read back through the CLI.
    local written
    written=$("$ANANT" meta get "c_test_$tag" last_run --cluster "$CLUSTER" 2>&1 || true)
    if [[ "$written" == *"\"arrow_bytes\":$summary_bytes"* ]]; then pass "[$tag] anant meta get reads the record the C client wrote"; else fail "[$tag] meta get: $written"; fi
  fi
  if example "$tag-centrality" "$binary" 0 --token-file "$ADMIN" --dataset lesmis --op centrality \
       --measure betweenness --nodes --top 5 --save-dir "$TMP/$tag-centrality" --no-meta; then
    if "$PYTHON" "$HERE/tests/check_arrow.py" centrality "$TMP/$tag-centrality" "$TMP/centrality.json" >"$TMP/$tag-check.out" 2>&1; then
      pass "[$tag] $(cat "$TMP/$tag-check.out")"
    else
      cat "$TMP/$tag-check.out"; fail "[$tag] centrality values"
    fi
  fi
  if example "$tag-info" "$binary" 0 --token-file "$ADMIN" --dataset lesmis --op info --no-meta; then
    local got want
    got=$(sed -n 's/^scalar \(nodes\|edges\|incidences\) = /\1=/p' "$TMP/$tag-info.out" | paste -sd' ')
    want=$("$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(" ".join(f"{k}={d[k]}" for k in ("nodes", "edges", "incidences")))' "$TMP/info.json")
    [[ "$got" == "$want" ]] && pass "[$tag] info scalars $got = anant info" || fail "[$tag] info scalars '$got', CLI '$want'"
  fi
  if example "$tag-components" "$binary" 0 --token-file "$READER" --dataset lesmis --op components --no-meta; then
    local count expected
    count=$(sed -n 's/^scalar count = //p' "$TMP/$tag-components.out")
    expected=$("$PYTHON" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/components.json")
    [[ "$count" == "$expected" ]] && pass "[$tag] components with a reader token: count $count = anant components" \
      || fail "[$tag] components count $count, CLI $expected"
  fi
}

# --- 3b. The release build ----------------------------------------------------------
say "example (release build, static and shared library)"
check_run release "$REL/anant_example"
if example shared "$REL/anant_example_shared" 0 --token-file "$ADMIN" --dataset lesmis --op degree --no-meta; then
  [[ "$(grep '^summary:' "$TMP/shared.out" | sed 's/ gateway_ms=.*//')" == "$(grep '^summary:' "$TMP/release-degree.out" | sed 's/ gateway_ms=.*//')" ]] \
    && pass "[shared] libanant_client.so gives the same summary" || fail "[shared] summary differs"
fi

# A serialized Operation (anant_run_serialized), encoded by protoc: degree with s = 2.
if command -v protoc >/dev/null; then
  printf 'degree { s: 2 }' | protoc --encode=anant.v1.Operation -I "$ROOT/proto" "$ROOT/proto/anant/v1/gateway.proto" >"$TMP/degree-s2.bin"
  "$ANANT" degree lesmis --s 2 --cluster "$CLUSTER" --format json >"$TMP/degree-s2.json"
  mkdir -p "$TMP/serialized"
  if example serialized "$ASAN/anant_example" 0 --token-file "$ADMIN" --dataset lesmis --op-file "$TMP/degree-s2.bin" \
       --save-dir "$TMP/serialized" --no-meta; then
    if "$PYTHON" "$HERE/tests/check_arrow.py" degree "$TMP/serialized" "$TMP/degree-s2.json" "$TMP/info.json" >"$TMP/serialized-check.out" 2>&1; then
      pass "[asan] serialized Operation (degree s=2): $(cat "$TMP/serialized-check.out")"
    else
      cat "$TMP/serialized-check.out"; fail "serialized Operation values"
    fi
  fi
  sanitizer_clean serialized
else
  echo "note: no protoc, the serialized-Operation check is skipped"
fi

# --- 4. ASan/UBSan ------------------------------------------------------------------
say "example (ASan/UBSan, leak detection on)"
check_run asan "$ASAN/anant_example"
for run in asan-degree asan-centrality asan-components asan-info; do sanitizer_clean "$run"; done

# expect_error NAME CODE ARGS...: exit 1, the code printed, no leak.
expect_error() {
  local name=$1 code=$2
  shift 2
  if example "$name" "$ASAN/anant_example" 1 "$@"; then
    if grep -q "^error: $code " "$TMP/$name.out"; then pass "[asan] $name: $(grep '^error:' "$TMP/$name.out")"; else cat "$TMP/$name.out"; fail "$name: no $code"; fi
  fi
  sanitizer_clean "$name"
}
expect_error bad-token UNAUTHENTICATED --token not-a-token-of-this-cluster --dataset lesmis
expect_error bad-token-run UNAUTHENTICATED --token not-a-token-of-this-cluster --no-verify --dataset lesmis
expect_error missing-dataset NOT_FOUND --token-file "$ADMIN" --dataset no_such_dataset
expect_error missing-version NOT_FOUND --token-file "$ADMIN" --dataset lesmis --version 99
expect_error reader-writes PERMISSION_DENIED --token-file "$READER" --dataset lesmis --meta-kind c_test_reader
expect_error no-gateway UNAVAILABLE --token x --dataset lesmis --gateway 127.0.0.1:1

# --- 5. Done (the trap stops the cluster) --------------------------------------------
ELAPSED=$(( $(date +%s) - STARTED ))
if [[ $FAILED -eq 0 ]]; then
  echo "PASS: every check passed in ${ELAPSED} s"
else
  echo "FAIL: $FAILED check(s) failed in ${ELAPSED} s"
  exit 1
fi
