#!/usr/bin/env python3
"""The client side of the multi-host test, run inside the client namespace (``ip netns exec``):
it reaches the cluster only through the gateway Service's name, with the Python client.

    client_ops.py analytics --gateway anant-gateway:7000 --token-file T --lesmis F --csv F --out DIR
        imports both files, runs the cases below, writes DIR/CASE.arrow (the result's first
        table) and DIR/CASE.json (its scalars), DIR/status.json and DIR/summary.json.
    client_ops.py loop --gateway ... --token-file T --expect DIR --stop-file F --out FILE
        keeps running operations and queries (threads of their own client each) until the
        stop file appears (or --max-seconds, --max-requests), checks every answer against
        DIR's, and writes counts: requests, retried, failed, with every failure and retry.

Retries are the Python client's own policy (``Client._retrying``: a retryable UNAVAILABLE
is tried again, with back-off, for ``retry_seconds``), counted by overriding it. The
client applies it to Run, ExportDataset and the unary reads; ``query`` it does not retry,
so the loop applies the same policy to queries itself (they change nothing) and counts
those retries apart (``test_applied``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional

import pyarrow as pa

import anant_client
from anant_client import AnantError

CSV_QUERY = dict(table="incidences", group_by=["node"], aggregations=["count(*) as n"], sort=["n desc", "node"], limit=20)


def cases(client: anant_client.Client) -> Dict[str, Callable[[], Any]]:
    """Every answer compared with the embedded CLI's (test_multihost.py names the CLI's
    arguments of each case)."""
    return {
        "lesmis.info": lambda: client.info("lesmis"),
        "lesmis.degree": lambda: client.degree("lesmis"),
        "lesmis.degree_s2": lambda: client.degree("lesmis", s=2),
        "lesmis.components": lambda: client.components("lesmis"),
        "lesmis.components_s2": lambda: client.components("lesmis", s=2),
        "lesmis.betweenness_nodes": lambda: client.centrality("lesmis", "betweenness", of="nodes"),
        "lesmis.betweenness_edges_s2": lambda: client.centrality("lesmis", "betweenness", s=2),
        "lesmis.query": lambda: client.query("lesmis", **CSV_QUERY),
        "big.info": lambda: client.info("big"),
        "big.degree": lambda: client.degree("big"),
        "big.components": lambda: client.components("big"),
        "big.betweenness_s3": lambda: client.centrality("big", "betweenness", s=3),
        "big.query": lambda: client.query("big", **CSV_QUERY),
    }


class CountingClient(anant_client.Client):
    """The Python client, counting the failures its retry policy absorbed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retries: List[Dict[str, Any]] = []
        self.current = ""

    def _retrying(self, body: Callable[[], Any]) -> Any:
        def counted() -> Any:
            try:
                return body()
            except AnantError as error:
                if error.code == "UNAVAILABLE" and error.retryable:
                    self.retries.append({"time": time.time(), "op": self.current, "message": error.message[:300]})
                raise

        return super()._retrying(counted)


def write_result(out: str, name: str, result: Any) -> Dict[str, Any]:
    table = result.table if result.tables else None
    if table is not None:
        with pa.OSFile(os.path.join(out, f"{name}.arrow"), "wb") as sink:
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
    with open(os.path.join(out, f"{name}.json"), "w", encoding="utf-8") as handle:
        json.dump({"scalars": result.scalars, "version": result.version}, handle, default=str)
    return {"rows": table.num_rows if table is not None else None, "scalars": len(result.scalars)}


def status_json(client: anant_client.Client) -> Dict[str, Any]:
    from google.protobuf.json_format import MessageToDict

    return MessageToDict(client.status(), preserving_proto_field_name=True)


def analytics(args: argparse.Namespace) -> int:
    os.makedirs(args.out, exist_ok=True)
    summary: Dict[str, Any] = {"imports": {}, "cases": {}, "errors": {}}
    with CountingClient(args.gateway, open(args.token_file).read().strip(), timeout=args.timeout) as client:
        summary["status_before"] = status_json(client)
        for path, name in ((args.lesmis, "lesmis"), (args.csv, "big")):
            begin = time.monotonic()
            version = client.import_dataset(path, name)
            summary["imports"][name] = {"version": version.version, "seconds": round(time.monotonic() - begin, 3),
                                        "bytes": os.path.getsize(path)}
        for name, call in cases(client).items():
            begin = time.monotonic()
            try:
                info = write_result(args.out, name, call())
                info["seconds"] = round(time.monotonic() - begin, 3)
                summary["cases"][name] = info
            except AnantError as error:
                summary["errors"][name] = f"{error.code}: {error.message}"
        # The export path: gateway -> storage (by its registered DNS name) -> client.
        begin = time.monotonic()
        try:
            exported = client.export_dataset("lesmis", os.path.join(args.out, "lesmis-export"))
            summary["export"] = {"seconds": round(time.monotonic() - begin, 3), "path": exported.path,
                                 "files": sum(len(v) for v in exported.files.values())}
        except AnantError as error:
            summary["errors"]["export"] = f"{error.code}: {error.message}"
        summary["datasets"] = sorted(d.name for d in client.datasets())
        summary["status"] = status_json(client)
        summary["retries"] = client.retries
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1, default=str)
    print(json.dumps({"imports": summary["imports"], "errors": summary["errors"]}))
    return 0 if not summary["errors"] else 1


def read_table(path: str) -> Optional[pa.Table]:
    if not os.path.exists(path):
        return None
    with pa.OSFile(path, "rb") as source:
        return pa.ipc.open_stream(source).read_all()


def loop(args: argparse.Namespace) -> int:
    token = open(args.token_file).read().strip()
    expected = {name: read_table(os.path.join(args.expect, f"{name}.arrow"))
                for name in ("lesmis.degree", "lesmis.components_s2", "lesmis.betweenness_nodes", "lesmis.query", "big.query")}
    lock = threading.Lock()
    stats: Dict[str, Any] = {"requests": 0, "ok": 0, "failed": 0, "wrong": 0, "retried": 0, "calls_retried": 0,
                             "test_applied_retries": 0, "by_op": {}, "failures": [], "retries": [], "wrong_answers": [],
                             "slow": []}
    deadline = time.monotonic() + args.max_seconds
    stop = threading.Event()
    latencies: Dict[str, List[float]] = {}

    def finished() -> bool:
        return stop.is_set() or os.path.exists(args.stop_file) or time.monotonic() > deadline or \
            stats["requests"] >= args.max_requests

    def worker(index: int) -> None:
        client = CountingClient(args.gateway, token, timeout=args.timeout, retry_seconds=args.retry_seconds)

        def query(name: str, **spec: Any) -> Any:
            # The client does not retry Query; the same policy, applied here (counted apart).
            before = len(client.retries)
            result = client._retrying(lambda: client.query(name, **spec))
            with lock:
                stats["test_applied_retries"] += len(client.retries) - before
            return result

        ops: List[tuple] = [
            ("run degree", lambda: client.degree("lesmis"), "lesmis.degree"),
            ("run components", lambda: client.components("lesmis", s=2), "lesmis.components_s2"),
            ("run betweenness", lambda: client.centrality("lesmis", "betweenness", of="nodes", parts=2), "lesmis.betweenness_nodes"),
            ("query lesmis", lambda: query("lesmis", **CSV_QUERY), "lesmis.query"),
            ("query big", lambda: query("big", **CSV_QUERY), "big.query"),
            ("status", lambda: client.status(), None),
            ("list datasets", lambda: client.datasets(), None),
        ]
        turn = index
        try:
            while not finished():
                op, call, want = ops[turn % len(ops)]
                turn += 1
                client.current = op
                before = len(client.retries)
                begin = time.time()
                error: Optional[AnantError] = None
                answer: Any = None
                try:
                    answer = call()
                except AnantError as failure:
                    error = failure
                retried = len(client.retries) - before
                with lock:
                    stats["requests"] += 1
                    per = stats["by_op"].setdefault(op, {"requests": 0, "failed": 0, "retried": 0})
                    per["requests"] += 1
                    latencies.setdefault(op, []).append(time.time() - begin)
                    if time.time() - begin > args.slow_seconds:
                        stats["slow"].append({"time": begin, "op": op, "seconds": round(time.time() - begin, 3), "retried": retried,
                                              "error": error.code if error is not None else None})
                    per["retried"] += retried
                    stats["retried"] += retried
                    stats["calls_retried"] += 1 if retried else 0
                    if error is not None:
                        stats["failed"] += 1
                        per["failed"] += 1
                        stats["failures"].append({"time": begin, "op": op, "code": error.code, "retryable": error.retryable,
                                                  "message": error.message[:400], "after": round(time.time() - begin, 3)})
                    elif want is not None and expected.get(want) is not None and not answer.table.equals(expected[want]):
                        stats["wrong"] += 1
                        stats["wrong_answers"].append({"time": begin, "op": op, "rows": answer.table.num_rows})
                    else:
                        stats["ok"] += 1
                if args.progress:
                    with lock:
                        snapshot = {k: stats[k] for k in ("requests", "ok", "failed", "retried", "wrong")}
                    tmp = args.progress + f".{index}.tmp"
                    with open(tmp, "w", encoding="utf-8") as handle:
                        json.dump(snapshot, handle)
                    os.replace(tmp, args.progress)
        finally:
            with lock:
                stats["retries"].extend(client.retries)
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.threads)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        stop.set()
    stats["seconds"] = round(args.max_seconds - max(0.0, deadline - time.monotonic()), 2)
    for op, values in latencies.items():
        values.sort()
        stats["by_op"][op]["median_ms"] = round(1000 * values[len(values) // 2], 1)
        stats["by_op"][op]["max_ms"] = round(1000 * values[-1], 1)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(stats, handle, indent=1, default=str)
    print(json.dumps({k: stats[k] for k in ("requests", "ok", "failed", "retried", "wrong")}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    for mode in ("analytics", "loop"):
        p = sub.add_parser(mode)
        p.add_argument("--gateway", required=True)
        p.add_argument("--token-file", required=True)
        p.add_argument("--timeout", type=float, default=120)
        if mode == "analytics":
            p.add_argument("--lesmis", required=True)
            p.add_argument("--csv", required=True)
            p.add_argument("--out", required=True)
        else:
            p.add_argument("--expect", required=True)
            p.add_argument("--stop-file", required=True)
            p.add_argument("--out", required=True)
            p.add_argument("--progress")
            p.add_argument("--threads", type=int, default=2)
            p.add_argument("--max-seconds", type=float, default=100)
            p.add_argument("--max-requests", type=int, default=5000)
            p.add_argument("--retry-seconds", type=float, default=15.0)
            p.add_argument("--slow-seconds", type=float, default=2.0, help="list requests slower than this")
    args = parser.parse_args()
    return analytics(args) if args.mode == "analytics" else loop(args)


if __name__ == "__main__":
    sys.exit(main())
