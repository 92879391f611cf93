#!/usr/bin/env python3
"""Deterministic reproductions of what the chaos suite found, on the same cluster layout
(topology.py): each scenario sets up the one interleaving, says BUG (with what it saw) or
OK, and exits 1 on BUG. Root; the client's Python (.venv).

    repro.py double-placement    a storage killed and started again within its lease:
                                 an import places both replicas of a shard on it
    repro.py publish-refused     a storage paused past its lease during an import: the
                                 publication is refused, FAILED_PRECONDITION (not retryable)
    repro.py internal-deadline   metadata silent for 12 s: an import and a listing fail
                                 DEADLINE_EXCEEDED after 10 s under a 60 s client deadline
    repro.py publish-lost        the publication commits but its answer is lost: the gateway
                                 deletes the shards, the version stays published
    repro.py all
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from typing import Any, Callable, List, Tuple

from paths import ROOT  # noqa: E402  (also puts the neighbouring folders on sys.path)

import anant_client  # noqa: E402
from anant_client import AnantError  # noqa: E402
from netns import Harness, enter_netns  # noqa: E402

from faults import Injector  # noqa: E402
from topology import ChaosCluster  # noqa: E402

LESMIS = os.path.join(ROOT, "data", "samples", "lesmis.hif.json")
T0 = time.monotonic()


def say(message: str) -> None:
    print(f"repro [{time.monotonic() - T0:6.1f}s] {message}", flush=True)


class Scenario:
    def __init__(self, net: Harness, cluster: ChaosCluster) -> None:
        self.net = net
        self.c = cluster

    def client(self, timeout: float = 60) -> anant_client.Client:
        return anant_client.Client(self.c.gateway_address, self.c.admin_token, timeout=timeout)

    def in_client(self, function: Callable[[], Any]) -> Any:
        """``function()`` on a thread in the client namespace (its exception re-raised)."""
        box: List[Any] = [None, None]

        def body() -> None:
            enter_netns(self.c.client.ns)
            try:
                box[0] = function()
            except BaseException as error:  # handed to the caller
                box[1] = error

        thread = threading.Thread(target=body)
        thread.start()
        thread.join()
        if box[1] is not None:
            raise box[1]
        return box[0]

    def catalog(self, sql: str, *args: Any) -> List[Tuple]:
        """Reads metadata's SQLite store directly (read-only)."""
        db = sqlite3.connect(f"file:{self.c.services['metadata'].data_dir}/metadata.db?mode=ro", uri=True)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def import_lesmis(self, client: anant_client.Client) -> Any:
        return self.in_client(lambda: client.import_dataset(LESMIS, "lesmis"))


def double_placement(s: Scenario) -> List[str]:
    c = s.c
    storage = c.services["storage-0"]
    c.kill(storage)
    c.start(storage)
    c.wait_ready([storage], time.monotonic() + 15)
    say("storage-0 killed and started again (its old registration's lease has not run out)")
    client = s.client()
    version = s.import_lesmis(client).version
    client.close()
    rows = s.catalog("SELECT tbl, shard, group_concat(address, ' + ') FROM replicas WHERE dataset = 'lesmis' AND version = ? "
                     "GROUP BY tbl, shard", version)
    for row in rows:
        say(f"lesmis@{version} table {row[0]} shard {row[1]}: replicas {row[2]}")
    return [f"lesmis@{version} table {t} shard {k}: both replicas on {a.split(' + ')[0]}" for t, k, a in rows
            if len(set(a.split(" + "))) < len(a.split(" + "))]


def publish_refused(s: Scenario) -> List[str]:
    c = s.c
    storage = c.services["storage-0"]
    client = s.client()
    s.import_lesmis(client)
    c.pause(storage)
    threading.Timer(c.heartbeat_seconds * c.missed_beats + 1.5, lambda: c.resume(storage)).start()
    say(f"storage-0 paused for a lease + 1.5 s; an import starts")
    try:
        version = s.import_lesmis(client)
        say(f"the import answered lesmis@{version.version}")
        return []
    except AnantError as error:
        say(f"the import failed: {error.code} (retryable {error.retryable}): {error.message[:160]}")
        if error.code == "FAILED_PRECONDITION" and not error.retryable:
            return [f"an import during a lease lapse of a live storage service failed {error.code}, not retryable: {error.message}"]
        return []
    finally:
        client.close()


def internal_deadline(s: Scenario) -> List[str]:
    c = s.c
    metadata = c.services["metadata"]
    client = s.client(timeout=60)
    s.import_lesmis(client)
    problems = []
    for name, call in (("import", lambda: client.import_dataset(LESMIS, "lesmis")), ("datasets", lambda: client.datasets())):
        c.pause(metadata)
        timer = threading.Timer(12.0, lambda: c.resume(metadata))
        timer.start()
        begin = time.monotonic()
        try:
            s.in_client(call)
            say(f"{name} with metadata paused 12 s: answered after {time.monotonic() - begin:.1f}s")
        except AnantError as error:
            took = time.monotonic() - begin
            say(f"{name} with metadata paused 12 s: {error.code} (retryable {error.retryable}) after {took:.1f}s: {error.message[:120]}")
            if error.code == "DEADLINE_EXCEEDED" and took < 55:
                problems.append(f"{name}: DEADLINE_EXCEEDED '{error.message}' after {took:.1f}s under a 60 s deadline")
        timer.join()
        c.wait_ready([metadata], time.monotonic() + 10)
        time.sleep(c.heartbeat_seconds * c.missed_beats)  # leases renewed
    client.close()
    return problems


def publish_lost(s: Scenario) -> List[str]:
    c = s.c
    metadata, storage, gateway = c.services["metadata"], c.services["storage-0"], c.services["gateway"]
    injector = Injector(c)
    client = s.client(timeout=120)
    s.import_lesmis(client)
    outcome: List[Any] = []

    def second() -> None:
        try:
            outcome.append(s.in_client(lambda: client.import_dataset(LESMIS, "lesmis")))
        except AnantError as error:
            outcome.append(error)

    c.pause(storage)  # the import waits in its puts
    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(1.0)
    injector.drop_oneway(metadata, gateway)
    c.resume(storage)
    say("an import is held in its puts; metadata's packets to the gateway are dropped from now on; storage-0 resumed")
    thread.join(timeout=90)
    injector.undrop_oneway(metadata)
    say(f"the import: {outcome[0]!r}"[:300] if outcome else "the import did not end")
    time.sleep(3)
    rows = s.catalog("SELECT version, state FROM versions WHERE dataset = 'lesmis' ORDER BY version")
    files = {v: len(glob.glob(os.path.join(c.work, "volumes", "storage-*", "data", "shards", "lesmis", str(v), "*", "*")))
             for v, _ in rows}
    say(f"catalog (state 2 = published): {rows}; shard files per version on the storage volumes: {files}")
    problems = [f"lesmis@{v} is published but its shards are gone from storage" for v, state in rows if state == 2 and files[v] == 0]
    try:
        exported = s.in_client(lambda: client.export_dataset("lesmis", os.path.join(c.work, "export")))
        say(f"export of the latest: version {exported.version.version}")
    except AnantError as error:
        say(f"export of the latest: {error.code}: {error.message[:160]}")
    client.close()
    return problems


SCENARIOS = {"double-placement": double_placement, "publish-refused": publish_refused,
             "internal-deadline": internal_deadline, "publish-lost": publish_lost}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=sorted(SCENARIOS) + ["all"])
    parser.add_argument("--bin", default=os.environ.get("ANANT_BIN", os.path.join(ROOT, ".build", "debug")))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("repro: needs root", file=sys.stderr)
        return 2
    names = sorted(SCENARIOS) if args.scenario == "all" else [args.scenario]
    bugs = 0
    for name in names:
        work = tempfile.mkdtemp(prefix=f"anant-chaos-repro-{name}.")
        os.chmod(work, 0o755)
        say(f"{name}: a fresh cluster in {work}")
        with Harness(os.path.join(work, "logs"), subnet="10.79.0", prefix="amc") as net:
            cluster = ChaosCluster(net, args.bin, work)
            try:
                late = cluster.start_all()
                if late:
                    say(f"{name}: the cluster did not start: {late}")
                    return 1
                problems = SCENARIOS[name](Scenario(net, cluster))
            finally:
                Injector(cluster).heal_everything()
                cluster.stop_all(grace=3)
        for problem in problems:
            say(f"{name}: BUG: {problem}")
        say(f"{name}: {'BUG' if problems else 'OK'}")
        bugs += bool(problems)
        if not args.keep and not problems:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
