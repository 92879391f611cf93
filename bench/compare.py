#!/usr/bin/env python3
"""Reads the JSON lines of one bench/run invocation and prints Anant against each anchor:
time of each (median of the repeats), and the ratio Anant / anchor (below 1: Anant is faster).

  python compare.py results.jsonl
"""
import json
import sys


def duration(seconds):
    """Milliseconds, or microseconds below 1 ms."""
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1000:.1f} ms"


def main():
    records = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
    by_workload = {}
    for r in records:
        if r.get("kind") == "env":
            continue
        # The algorithm anchors put every op and size under one bench name.
        if "n_edges" in r:
            key = f"{r['op']} E={r['n_edges']}"
        elif r["bench"] in ("lazy_ops", "dataset"):
            key = f"{r['bench']} {r['op']} ({r.get('source', '')})"
        else:
            key = r["bench"]
        by_workload.setdefault(key, []).append(r)
    print("| workload | tool | median | min | peak RSS MB | rows | file MB | Anant / tool |")
    print("|---|---|---|---|---|---|---|---|")
    for workload, rows in by_workload.items():
        # The ratio uses Anant on every core (the first Anant row); others are listed too.
        anant = next((r for r in rows if r["tool"] == "anant"), None)
        for r in rows:
            tool = f"{r['tool']}, {r['threads']} threads" if r.get("threads") else r["tool"]
            if r.get("median_s") is None:
                print(f"| {workload} | {tool} ({r.get('op', '')}) | {r.get('status', 'n/a')} | | | | | |")
                continue
            ratio = ""
            if anant and r["tool"] != "anant" and r.get("median_s"):
                ratio = f"{anant['median_s'] / r['median_s']:.2f}"
            rss = r.get("peak_rss_mb", "")
            rss = f"{rss:.0f}" if isinstance(rss, float) else rss
            size = f"{r['file_mb']:.1f}" if "file_mb" in r else ""
            print(f"| {workload} | {tool} ({r.get('op', '')}) | {duration(r['median_s'])} | "
                  f"{duration(min(r.get('times_s') or [r['median_s']]))} | {rss} | {r.get('result_rows', r.get('result', ''))} | {size} | {ratio} |")


if __name__ == "__main__":
    main()
