"""The checks after every fault, once the cluster is healthy again, and at the end.

- **Recovery**: every service runs and answers ``/readyz`` 200; the registry holds a live
  lease for every storage and compute worker at its address; lesmis' degrees are right.
  Polled until a deadline: never a bare sleep.
- **Imports**: every acknowledged version, and every version the catalog lists as
  published, exports whole (every shard of its manifest, each checked by the client against
  its SHA-256) and holds exactly its input's incidences (canonical checksum).
- **No half-published version**: a pending version answers no operation (``NOT_FOUND``);
  a dataset's latest version is its newest published one.
- **Answers**: the embedded CLI's on lesmis and on an imported dataset (after a paused
  worker came back its stale attempts must not show).
- **Metadata**: every acknowledged batch's records read back with their values and store
  version; every thread's counter holds at least its last acknowledged value.
- **Storage roots** (read from here, the volumes): every file of a published version is
  named by the SHA-256 of its bytes, and every shard of a published version is on every
  storage service (R = 2 of 2: a replica the catalog places twice on one service is a
  lost replica); at the end, once the gateway's cleanup had time, no
  pending version, no shard of a version the catalog does not publish, no temporary file.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

from anant_client import AnantError

from oracle import CASES, Oracle, table_checksum
from topology import RPC_PORT, ChaosCluster
from workload import COUNTER_KIND, KIND, CountingClient, Ledger, check_counters, check_writes


@dataclass
class Findings:
    """What one round of checks found, by category."""

    lost: List[str] = field(default_factory=list)  # acknowledged, then not there (imports, writes)
    wrong: List[str] = field(default_factory=list)  # answered, but not the embedded answer / not the input
    partial: List[str] = field(default_factory=list)  # a half-published version, a bad shard visible
    leftovers: List[str] = field(default_factory=list)  # what the cleanup should have removed (end only)
    errors: List[str] = field(default_factory=list)  # a check that could not run (cluster unhealthy)
    stats: Dict[str, int] = field(default_factory=dict)

    @property
    def bad(self) -> bool:
        return bool(self.lost or self.wrong or self.partial or self.leftovers or self.errors)

    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in (("lost", self.lost), ("wrong", self.wrong), ("partial", self.partial),
                                               ("leftovers", self.leftovers), ("errors", self.errors)) if v]
        return ", ".join(parts) or "clean"

    def all(self) -> List[str]:
        return [f"{k}: {p}" for k, v in (("lost", self.lost), ("wrong", self.wrong), ("partial", self.partial),
                                         ("leftovers", self.leftovers), ("errors", self.errors)) for p in v]


class Verifier:
    def __init__(self, cluster: ChaosCluster, oracle: Oracle, ledger: Ledger, work: str, seed: int) -> None:
        self.cluster = cluster
        self.oracle = oracle
        self.ledger = ledger
        self.scratch = os.path.join(work, "exports")
        self.rng = random.Random(seed * 31 + 7)
        self.rounds = 0
        self.verified: Set[Tuple[str, int]] = set()  # versions that exported whole once
        self.sample = 12  # older versions exported again after each fault

    def client(self) -> CountingClient:
        return CountingClient(self.cluster.gateway_address, self.cluster.admin_token, timeout=30, retry_seconds=15)

    def in_client(self, function: Any, timeout: float = 300) -> Any:
        """Runs ``function(client)`` on a thread in the client namespace."""
        net = self.cluster.net

        def body() -> Any:
            client = self.client()
            try:
                return function(client)
            finally:
                client.close()

        return net.call_in(self.cluster.client, body, timeout=timeout)

    # MARK: Recovery

    def wait_healthy(self, timeout: float) -> Tuple[bool, str, float]:
        """Polls until the cluster is healthy or ``timeout`` seconds: (healthy, what was
        last wrong, seconds it took)."""
        begin = time.monotonic()
        deadline = begin + timeout
        problem = ""
        while True:
            problem = self._health_problem(deadline)
            if not problem:
                return True, "", time.monotonic() - begin
            if time.monotonic() >= deadline:
                return False, problem, time.monotonic() - begin
            time.sleep(0.2)

    def _health_problem(self, deadline: float) -> str:
        cluster = self.cluster
        for service in cluster.services.values():
            if not service.alive:
                return f"{service.name} is not running"
            if service.paused:
                return f"{service.name} is paused"
        late = cluster.wait_ready(list(cluster.services.values()), min(deadline, time.monotonic() + 2))
        if late:
            return "not ready: " + ", ".join(late)
        want = {f"{s.name}:{RPC_PORT}" for s in cluster.of_kind("storage")} | \
               {f"{s.ip}:{RPC_PORT}" for s in cluster.of_kind("compute")}

        def probe(client: CountingClient) -> str:
            status = client.status(timeout=5)
            now = time.time() * 1e9
            live = {w.rpc_address for w in status.workers if w.lease_expires_unix_nanos > now}
            if want - live:
                return f"the registry has no live lease for {sorted(want - live)}"
            problem = self.oracle.check("lesmis", "degree", client.degree("lesmis", timeout=10))
            return f"lesmis degrees are wrong: {problem}" if problem else ""

        try:
            return self.in_client(probe, timeout=40)
        except AnantError as error:
            return f"{error.code}: {error.message[:200]}"
        except Exception as error:  # a timeout of the probe itself
            return f"probe: {error!r}"

    # MARK: The checks

    def check(self, final: bool = False) -> Findings:
        self.rounds += 1
        findings = Findings()
        try:
            self.in_client(lambda client: self._through_gateway(client, findings, final), timeout=600)
        except Exception as error:
            findings.errors.append(f"the checks through the gateway stopped: {error!r}")
        self._storage_roots(findings, final=False)
        return findings

    def _retry(self, call: Any, seconds: float = 20.0) -> Any:
        """A check's call, tried again on retryable failures for ``seconds`` (the cluster
        was healthy a moment ago; a lease can still lapse under load)."""
        end = time.monotonic() + seconds
        while True:
            try:
                return call()
            except AnantError as error:
                if not error.retryable and error.code not in ("UNAVAILABLE", "DEADLINE_EXCEEDED") or time.monotonic() > end:
                    raise
            time.sleep(0.3)

    def _through_gateway(self, client: CountingClient, findings: Findings, final: bool) -> None:
        ledger = self.ledger
        with ledger.lock:
            acked = [(i.dataset, i.version) for i in ledger.imports]
            writes = list(ledger.writes.values())
            counters = list(ledger.counters.values())
        # The catalog, read twice around the list of datasets (imports go on meanwhile):
        # a dataset's latest version is at least the newest published before, and published after.
        names = sorted({d.name for d in self._retry(lambda: client.datasets())} | {d for d, _ in acked})
        before = {name: self._versions(client, name, findings) for name in names}
        listed = {d.name: d for d in self._retry(lambda: client.datasets())}
        versions = {name: self._versions(client, name, findings) for name in names}
        for dataset, version in acked:
            state = versions.get(dataset, {}).get(version)
            if state != "PUBLISHED":
                findings.lost.append(f"import {dataset}@{version} was acknowledged; the catalog lists it as {state}")
        for name, summary in listed.items():
            published = [v for v, s in before.get(name, {}).items() if s == "PUBLISHED"]
            if published and summary.latest_version < max(published):
                findings.partial.append(f"{name}: latest version {summary.latest_version}, but {max(published)} was published")
            if summary.latest_version and versions.get(name, {}).get(summary.latest_version) != "PUBLISHED":
                findings.partial.append(f"{name}: latest version {summary.latest_version} is "
                                        f"{versions.get(name, {}).get(summary.latest_version)}")
        # Every published version exports whole, with its input's content: after a fault,
        # those not checked yet, each dataset's latest and a sample of the others; at the end, all.
        published = sorted({(n, v) for n, vs in versions.items() for v, s in vs.items() if s == "PUBLISHED"})
        if final:
            to_export = published
        else:
            latest = {(n, max(v for v, s in vs.items() if s == "PUBLISHED")) for n, vs in versions.items()
                      if any(s == "PUBLISHED" for s in vs.values())}
            fresh = [k for k in published if k not in self.verified]
            older = [k for k in published if k in self.verified and k not in latest]
            to_export = sorted(set(fresh) | latest | set(self.rng.sample(older, min(self.sample, len(older)))))
        findings.stats["versions_exported"] = 0
        for name, version in to_export:
            problem = self._export(client, name, version)
            findings.stats["versions_exported"] += 1
            if problem:
                if (name, version) in acked:
                    findings.lost.append(f"import {name}@{version} (acknowledged): {problem}")
                else:
                    findings.partial.append(f"published {name}@{version} (not acknowledged to the workload): {problem}")
            else:
                self.verified.add((name, version))
        # Pending versions answer nothing (one published meanwhile may).
        for name, vs in versions.items():
            for version, state in vs.items():
                if state == "PUBLISHED":
                    continue
                try:
                    result = client.info(name, version=version, timeout=20)
                except AnantError as error:
                    if error.code not in ("NOT_FOUND", "FAILED_PRECONDITION"):
                        findings.errors.append(f"info {name}@{version} ({state}): {error.code} {error.message[:160]}")
                    continue
                now = self._versions(client, name, findings).get(version)
                if now != "PUBLISHED":
                    findings.partial.append(f"{name}@{version} is {now} but answered info at version {result.version}")
        findings.stats["pending_seen"] = sum(1 for vs in versions.values() for s in vs.values() if s != "PUBLISHED")
        # Acknowledged metadata writes.
        for start in range(0, len(writes), 400):
            chunk = writes[start:start + 400]
            got = self._retry(lambda: client.meta.get_many(KIND, [w.key for w in chunk], timeout=30))
            findings.lost += check_writes(chunk, got)
        if counters:
            got = self._retry(lambda: client.meta.get_many(COUNTER_KIND, [w.key for w in counters], timeout=30))
            findings.lost += check_counters(counters, got)
        findings.stats["writes_checked"] = len(writes) + len(counters)
        # Answers: lesmis and an imported dataset (every case at the end).
        datasets = ["lesmis"]
        imported = sorted({d for d, _ in acked if d != "lesmis"})
        if imported:
            datasets += imported if final else [self.rng.choice(imported)]
        quick = ["degree", "components_s2", "betweenness_nodes", "query_group"]
        findings.stats["answers_checked"] = 0
        for dataset in datasets:
            for _, name in self.oracle.cases(dataset):
                if not final and name not in quick:
                    continue
                case = CASES[name]
                parts = self.rng.choice([0, 2, 3])
                try:
                    result = self._retry(lambda: case.call(client, dataset, parts))
                except AnantError as error:
                    findings.errors.append(f"{name} on {dataset}: {error.code} {error.message[:200]}")
                    continue
                findings.stats["answers_checked"] += 1
                problem = self.oracle.check(dataset, name, result)
                if problem:
                    findings.wrong.append(f"{name} on {dataset} (parts {parts}): {problem}")

    def _versions(self, client: CountingClient, name: str, findings: Findings) -> Dict[int, str]:
        try:
            return {v.version: v.state for v in self._retry(lambda: client.versions(name))}
        except AnantError as error:
            if error.code != "NOT_FOUND":
                findings.errors.append(f"versions({name}): {error.code} {error.message[:200]}")
            return {}

    def _export(self, client: CountingClient, name: str, version: int) -> Optional[str]:
        """None when the version exports whole with its input's content; else the problem."""
        target = os.path.join(self.scratch, f"{name}@{version}.{self.rounds}")
        try:
            try:
                exported = self._retry(lambda: client.export_dataset(name, target, version=version, timeout=30))
            except AnantError as error:
                return f"export failed: {error.code} {error.message[:200]}"
            if exported.version.version != version or exported.version.state != "PUBLISHED":
                return f"the export answered version {exported.version.version} in state {exported.version.state}"
            manifest = exported.version.manifest
            for table, spec in (manifest.get("tables") or {}).items():
                want = [s["path"] for s in spec.get("shards", [])]
                got = [os.path.relpath(p, target) for p in exported.files.get(table, [])]
                if got != want:
                    return f"table {table}: the export sent shards {got}, the manifest lists {want}"
                for shard in spec.get("shards", []):
                    with open(os.path.join(target, shard["path"]), "rb") as handle:
                        digest = hashlib.sha256(handle.read()).hexdigest()
                    if digest != shard["sha256"]:
                        return f"shard {shard['path']} has SHA-256 {digest}, the manifest says {shard['sha256']}"
            checksum, rows = table_checksum(exported.read_table("incidences"))
            source = self.oracle.inputs.get(name)
            if source is None:
                return None
            if (checksum, rows) != (source.checksum, source.rows):
                return f"{rows} incidences with checksum {checksum[:16]}…, the input has {source.rows} ({source.checksum[:16]}…)"
            return None
        finally:
            shutil.rmtree(target, ignore_errors=True)

    # MARK: Storage roots

    def published_shards(self) -> Tuple[Dict[Tuple[str, int], Dict[str, Any]], Set[Tuple[str, int]]]:
        """(every published version's manifest, every pending version), from the catalog."""

        def read(client: CountingClient) -> Tuple[Dict[Tuple[str, int], Dict[str, Any]], Set[Tuple[str, int]]]:
            manifests, pending = {}, set()
            for summary in self._retry(lambda: client.datasets()):
                for v in self._retry(lambda: client.versions(summary.name)):
                    if v.state == "PUBLISHED":
                        manifests[(v.name, v.version)] = v.manifest
                    else:
                        pending.add((v.name, v.version))
            return manifests, pending

        return self.in_client(read, timeout=120)

    def _storage_roots(self, findings: Findings, final: bool) -> None:
        """Files on the storage volumes: every shard of a published version intact and on
        every replica; with ``final``, nothing else."""
        try:
            manifests, pending = self.published_shards()
        except Exception as error:
            findings.errors.append(f"listing the catalog for the storage check: {error!r}")
            return
        expected: Dict[Tuple[str, int, str, int], str] = {}
        for (name, version), manifest in manifests.items():
            for table, spec in (manifest.get("tables") or {}).items():
                for shard in spec.get("shards", []):
                    index = int(os.path.basename(shard["path"]).split("-")[-1].split(".")[0])
                    expected[(name, version, table, index)] = shard["sha256"]
        checked = 0
        for storage, root in self.cluster.storage_roots().items():
            present: Set[Tuple[str, int, str, int]] = set()
            top = os.path.join(root, "shards")
            for folder, _, files in os.walk(top):
                for file_name in files:
                    path = os.path.join(folder, file_name)
                    relative = os.path.relpath(path, top).split(os.sep)
                    parts = file_name.split(".")
                    if len(relative) != 4 or len(parts) != 3 or parts[2] != "parquet" or not relative[1].isdigit():
                        if final:
                            findings.leftovers.append(f"{storage}: {os.path.relpath(path, root)} (not a shard: a temporary file?)")
                        continue
                    key = (relative[0], int(relative[1]), relative[2], int(parts[0]))
                    if (key[0], key[1]) not in manifests:
                        if final:
                            state = "pending" if (key[0], key[1]) in pending else "not in the catalog"
                            findings.leftovers.append(f"{storage}: {os.path.relpath(path, root)} (version {state})")
                        continue
                    want = expected.get(key)
                    if want is None or parts[1] != want:
                        findings.partial.append(f"{storage}: {os.path.relpath(path, root)} is not a shard of the manifest "
                                                f"of {key[0]}@{key[1]} (which names {want})")
                        continue
                    present.add(key)
                    try:
                        with open(path, "rb") as handle:
                            digest = hashlib.sha256(handle.read()).hexdigest()
                    except FileNotFoundError:
                        continue
                    checked += 1
                    if digest != want:
                        findings.partial.append(f"{storage}: {os.path.relpath(path, root)} holds bytes with SHA-256 {digest}")
            # A published version's shards were durable on every replica before it was
            # published: with R = the number of storage services, each is on every one.
            if self.cluster.replicas >= len(self.cluster.storage_roots()):
                with self.ledger.lock:
                    acked = {(i.dataset, i.version) for i in self.ledger.imports}
                for key in sorted(set(expected) - present):
                    what = f"{storage} lacks the replica of {key[0]}@{key[1]} {key[2]} shard {key[3]}"
                    if (key[0], key[1]) in acked:
                        findings.lost.append(what + " (an acknowledged import)")
                    else:
                        findings.partial.append(what + " (a published version, not acknowledged to the workload)")
        if final:
            findings.leftovers += [f"{name}@{version} is still pending" for name, version in sorted(pending)]
        findings.stats["shard_files_hashed"] = checked

    def final_storage(self, timeout: float) -> Findings:
        """Polls until the gateway's cleanup left only published shards (or ``timeout``)."""
        end = time.monotonic() + timeout
        while True:
            findings = Findings()
            self._storage_roots(findings, final=True)
            if not findings.bad or time.monotonic() >= end:
                return findings
            time.sleep(0.5)
