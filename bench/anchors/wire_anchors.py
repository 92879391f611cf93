#!/usr/bin/env python3
"""The anchors of `bench/run wire`, as JSON lines in the shape compare.py reads:

  python wire_anchors.py --pingpong BIN [--ray-python PY --data DIR --n 1e7 --repeats 3]

- the floor: BIN (tcp_pingpong.c, built by bench/run) does 20,000 sequential 32-byte
  write/read round trips on one loopback TCP connection and prints p50 and p99;
- Ray: ray_overhead.py (run by PY, a venv with ray) on the same machine; its task round
  trip (one trivial task submitted and awaited at a time) is the small-request round trip
  Anant is compared with, and its batch of 1,000 tasks the pipelined one.
"""
import argparse
import json
import re
import subprocess
import sys
import os


def emit(record):
    print(json.dumps(record, sort_keys=True), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pingpong", required=True)
    ap.add_argument("--ray-python")
    ap.add_argument("--data")
    ap.add_argument("--n", default="1e7")
    ap.add_argument("--repeats", default="3")
    a = ap.parse_args()

    out = subprocess.run([a.pingpong, "20000"], check=True, capture_output=True, text=True).stdout
    m = re.search(r"p50 ([0-9.]+) us, p99 ([0-9.]+) us", out)
    if not m:
        sys.exit(f"unexpected tcp_pingpong output: {out!r}")
    emit({"bench": "wire round trip p50", "tool": "C TCP ping-pong (floor)", "op": "32-byte write+read", "median_s": float(m.group(1)) / 1e6})
    emit({"bench": "wire round trip p99", "tool": "C TCP ping-pong (floor)", "op": "32-byte write+read", "median_s": float(m.group(2)) / 1e6})

    if a.ray_python:
        here = os.path.dirname(os.path.abspath(__file__))
        run = subprocess.run([os.path.abspath(a.ray_python), os.path.join(here, "ray_overhead.py"), "--data", a.data, "--n", a.n,
                              "--repeats", a.repeats], check=True, capture_output=True, text=True, cwd=here)
        for line in run.stdout.splitlines():
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if r.get("op") == "task_roundtrip":
                emit({"bench": "wire round trip p50", "tool": "ray", "op": "task round trip (mean of 200)",
                      "median_s": r["us_per_task"] / 1e6})
            elif r.get("op") == "tasks_batch":
                emit({"bench": "wire pipelined per request", "tool": "ray", "op": f"batch of {r['tasks']} tasks",
                      "median_s": r["us_per_task"] / 1e6})
            elif r.get("op") == "ray_init":
                emit({"bench": "wire ray.init", "tool": "ray", "op": "ray.init", "median_s": r["median_s"]})


if __name__ == "__main__":
    main()
