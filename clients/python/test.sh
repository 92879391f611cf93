#!/usr/bin/env bash
# Tests the Python client: the wire against scripted fake gateways, then every call against
# a local cluster (anant cluster up: 2 compute, 2 storage, 2 replicas) in a scratch folder,
# comparing answers with HyperNetX and with the embedded CLI on data/samples/lesmis.hif.json.
#
#   clients/python/test.sh            # ANANT_BIN defaults to .build/debug (anant and its services)
#   ANANT_BIN=/path/to/bin clients/python/test.sh
#
# Uses the repository's .venv (scripts/bootstrap --oracles: pyarrow, polars, hypernetx);
# installs protobuf into it when missing, and the client itself (pip install
# clients/python) when its sources changed since the last install. The cluster is always
# stopped at the end; its folder (logs) is kept when a test failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

say() { printf '[python-client] %s\n' "$*" >&2; }

python=.venv/bin/python
[ -x "$python" ] || { say ".venv is missing: run scripts/bootstrap --oracles first"; exit 1; }
bin=${ANANT_BIN:-.build/debug}
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
[ -x "$bin/anant" ] || { say "no anant executable in $bin: build it (swift build) or set ANANT_BIN"; exit 1; }

# protobuf (the runtime of the generated modules), and the client, installed once.
pip() { "$python" -m pip install -q --disable-pip-version-check "$@"; }
"$python" -c 'import google.protobuf' 2>/dev/null || { say "installing protobuf into .venv"; pip 'protobuf>=4.21.12,<8'; }
hash=$(find clients/python/pyproject.toml clients/python/anant_client -name '*.py' -o -name '*.toml' -o -name 'py.typed' \
  | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-16)
if [ ! -f ".venv/.anant-client-$hash" ]; then
  say "installing clients/python into .venv"
  pip --no-deps --force-reinstall ./clients/python
  rm -f .venv/.anant-client-*
  touch ".venv/.anant-client-$hash"
fi
rm -rf clients/python/build clients/python/*.egg-info

# The cluster, stopped whatever happens.
scratch=$(mktemp -d /tmp/anant-python-client.XXXXXX)
cluster="$scratch/cluster"
status=1
cleanup() {
  "$bin/anant" cluster down --dir "$cluster" --grace 5 >/dev/null 2>&1 || true
  if [ "$status" -eq 0 ]; then rm -rf "$scratch"; else say "the cluster's folder (logs) is kept: $cluster"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$bin/anant" cluster up --dir "$cluster" --compute 2 --storage 2 --replicas 2 >&2

ANANT_GATEWAY=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["gateway"])' "$cluster/cluster.json")
ANANT_ADMIN_TOKEN_FILE=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["admin_token_file"])' "$cluster/cluster.json")
export ANANT_GATEWAY ANANT_ADMIN_TOKEN_FILE ANANT_READER_TOKEN_FILE="$cluster/reader.token" ANANT_BIN="$bin"

# The tests import the installed package (the tests folder, not clients/python, is on the path).
if "$python" clients/python/tests/run.py; then status=0; else status=$?; fi
exit "$status"
