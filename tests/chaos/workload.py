"""The chaos suite's workload: client threads in the client namespace, each with its own
``anant_client.Client`` to the gateway, mixing imports, analytics, queries, listings and
entity metadata writes and reads; and the ledger of everything acknowledged.

Every answered operation is compared at once with the embedded CLI's answer on the same
input (``oracle.py``); every acknowledged import and metadata write goes into the ledger,
which the verifier checks after every fault. A request's outcome is ``ok``, ``retryable``
(failed with a retryable status, which the caller may simply send again), ``failed`` (any
other status) or ``wrong`` (answered, but not the embedded answer).

Retries are the Python client's own (``Client._retrying``: a retryable ``UNAVAILABLE``
sent again for ``retry_seconds``; it covers Run, ExportDataset and the unary reads),
counted by overriding it; ``query`` the client does not retry, so the workload applies
the same policy to queries (they change nothing) and counts those retries apart. Imports
and metadata writes are not retried (not idempotent): a failed one is not acknowledged.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import anant_client
from anant_client import AnantError

from netns import enter_netns
from oracle import CASES, Oracle

KIND = "chaos_item"
COUNTER_KIND = "chaos_counter"
SCHEMA = [{"name": "writer", "type": "string", "required": True}, {"name": "seq", "type": "int64", "required": True},
          {"name": "payload", "type": "string"}]


class CountingClient(anant_client.Client):
    """The Python client, counting the failures its retry policy absorbed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retries = 0

    def _retrying(self, body: Callable[[], Any]) -> Any:
        def counted() -> Any:
            try:
                return body()
            except AnantError as error:
                if error.code == "UNAVAILABLE" and error.retryable:
                    self.retries += 1
                raise

        return super()._retrying(counted)


@dataclass
class Request:
    op: str
    dataset: str
    start: float  # time.time()
    end: float
    outcome: str  # ok, retryable, failed, wrong
    code: str = ""
    message: str = ""
    retries: int = 0
    thread: int = 0


@dataclass
class AckedImport:
    dataset: str
    version: int
    time: float


@dataclass
class AckedWrite:
    kind: str
    key: str
    values: Dict[str, Any]
    store_version: int
    time: float


@dataclass
class Ledger:
    """Everything the cluster acknowledged, and every request's outcome."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    imports: List[AckedImport] = field(default_factory=list)
    writes: Dict[Tuple[str, str], AckedWrite] = field(default_factory=dict)  # unique keys, never rewritten
    counters: Dict[str, AckedWrite] = field(default_factory=dict)  # per-thread counter key -> last acknowledged
    requests: List[Request] = field(default_factory=list)
    wrong: List[Dict[str, Any]] = field(default_factory=list)
    lost: List[Dict[str, Any]] = field(default_factory=list)  # acknowledged, then not there (seen by the workload)
    batches_acked: int = 0

    def record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)

    def imported(self) -> Dict[str, List[int]]:
        with self.lock:
            out: Dict[str, List[int]] = {}
            for item in self.imports:
                out.setdefault(item.dataset, []).append(item.version)
            return out


class Workload:
    """``threads`` client threads until :meth:`stop`."""

    def __init__(self, ns: str, address: str, token: str, oracle: Oracle, ledger: Ledger, seed: int, threads: int = 4,
                 timeout: float = 30.0, retry_seconds: float = 15.0, import_rate: float = 1.0) -> None:
        self.ns = ns
        self.address = address
        self.token = token
        self.oracle = oracle
        self.ledger = ledger
        self.seed = seed
        self.count = threads
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.stopping = threading.Event()
        self.threads: List[threading.Thread] = []
        self.crashes: List[str] = []
        self.test_applied_retries = 0
        # Imports are paced (every published version is exported by every later check).
        self.import_interval = 1.0 / import_rate if import_rate > 0 else 0.0
        self.next_import = 0.0
        self.import_lock = threading.Lock()
        self.imports_in_flight = 0

    def wait_import_in_flight(self, timeout: float) -> bool:
        """Waits (up to ``timeout`` seconds) until an import is in flight."""
        end = time.monotonic() + timeout
        while self.imports_in_flight == 0 and time.monotonic() < end and not self.stopping.is_set():
            time.sleep(0.005)
        return self.imports_in_flight > 0

    def may_import(self) -> bool:
        """Whether an import may start now (at most ``import_rate`` a second, all threads)."""
        with self.import_lock:
            now = time.monotonic()
            if now < self.next_import:
                return False
            self.next_import = now + self.import_interval
            return True

    # MARK: Lifecycle

    def client(self) -> CountingClient:
        return CountingClient(self.address, self.token, timeout=self.timeout, retry_seconds=self.retry_seconds)

    def start(self) -> None:
        for index in range(self.count):
            thread = threading.Thread(target=self._thread, args=(index,), name=f"workload-{index}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self, timeout: float = 90.0) -> List[str]:
        """Stops the threads (each ends its request in flight); the names of those still
        running after ``timeout``."""
        self.stopping.set()
        end = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.1, end - time.monotonic()))
        return [t.name for t in self.threads if t.is_alive()]

    def _thread(self, index: int) -> None:
        import traceback

        try:
            enter_netns(self.ns)
            client = self.client()
            try:
                Worker(self, index, client).loop()
            finally:
                client.close()
        except Exception:  # a broken workload is a failed run, with its trace
            self.crashes.append(f"workload-{index}: {traceback.format_exc()[-1500:]}")


class Worker:
    """One thread's loop of operations."""

    OPS: List[Tuple[str, int]] = [("analytic", 5), ("import_", 2), ("meta_write", 3), ("meta_read", 2), ("list_", 1)]

    def __init__(self, workload: Workload, index: int, client: CountingClient) -> None:
        self.w = workload
        self.index = index
        self.client = client
        self.rng = random.Random(workload.seed * 7919 + index)
        self.seq = 0
        self.counter_key = f"t{index}"

    def loop(self) -> None:
        names = [name for name, _ in self.OPS]
        weights = [weight for _, weight in self.OPS]
        while not self.w.stopping.is_set():
            op = self.rng.choices(names, weights)[0]
            getattr(self, op)()

    # MARK: Running one request

    def run(self, op: str, dataset: str, body: Callable[[], Optional[str]]) -> Optional[str]:
        """Runs ``body`` (which answers None, or what was wrong), records the outcome;
        returns the error code when it failed."""
        begin = time.time()
        before = self.client.retries
        outcome, code, message = "ok", "", ""
        try:
            problem = body()
            if problem:
                outcome, message = "wrong", problem
        except AnantError as error:
            outcome = "retryable" if error.retryable else "failed"
            code, message = error.code, error.message[:300]
        request = Request(op, dataset, begin, time.time(), outcome, code, message, self.client.retries - before, self.index)
        self.w.ledger.record(request)
        if outcome == "wrong":
            with self.w.ledger.lock:
                self.w.ledger.wrong.append({"time": begin, "op": op, "dataset": dataset, "problem": message})
        return code or None

    def query_retrying(self, body: Callable[[], Any]) -> Any:
        """The client's retry policy, applied to a query (which the client does not retry)."""
        before = self.client.retries
        try:
            return self.client._retrying(body)
        finally:
            with self.w.ledger.lock:
                self.w.test_applied_retries += self.client.retries - before

    # MARK: Operations

    def datasets_ready(self) -> List[str]:
        imported = self.w.ledger.imported()
        return [name for name in self.w.oracle.inputs if name in imported]

    def analytic(self) -> None:
        ready = self.datasets_ready()
        if not ready:
            return self.import_()
        dataset = self.rng.choice(ready)
        case = CASES[self.rng.choice([c for _, c in self.w.oracle.cases(dataset)])]
        parts = self.rng.choice([0, 0, 1, 2, 3])

        def body() -> Optional[str]:
            if case.query:
                result = self.query_retrying(lambda: case.call(self.client, dataset, parts))
            else:
                result = case.call(self.client, dataset, parts)
            return self.w.oracle.check(dataset, case.name, result)

        self.run(case.name, dataset, body)

    def import_(self) -> None:
        if not self.w.may_import():
            return self.analytic() if self.datasets_ready() else None
        dataset = self.rng.choice([n for n in self.w.oracle.inputs if n != "lesmis"])
        source = self.w.oracle.inputs[dataset]

        def body() -> Optional[str]:
            with self.w.import_lock:
                self.w.imports_in_flight += 1
            try:
                version = self.client.import_dataset(source.path, dataset)
            finally:
                with self.w.import_lock:
                    self.w.imports_in_flight -= 1
            with self.w.ledger.lock:
                self.w.ledger.imports.append(AckedImport(dataset, version.version, time.time()))
            if version.state != "PUBLISHED":
                return f"the import answered version {version.version} in state {version.state}"
            return None

        self.run("import", dataset, body)

    def meta_write(self) -> None:
        """One batch: three new records (unique keys) and this thread's counter."""
        self.seq += 1
        seq = self.seq
        keys = {f"w{self.index}-{seq}-{i}": {"writer": f"t{self.index}", "seq": seq, "payload": f"p{self.rng.getrandbits(32):08x}"}
                for i in range(3)}
        counter = {"writer": f"t{self.index}", "seq": seq}

        def body() -> Optional[str]:
            version = self.client.meta.apply(KIND, keys, timeout=self.w.timeout)
            now = time.time()
            with self.w.ledger.lock:
                self.w.ledger.batches_acked += 1
                for key, values in keys.items():
                    self.w.ledger.writes[(KIND, key)] = AckedWrite(KIND, key, values, version, now)
            counter_version = self.client.meta.apply(COUNTER_KIND, {self.counter_key: counter}, timeout=self.w.timeout)
            with self.w.ledger.lock:
                self.w.ledger.batches_acked += 1
                self.w.ledger.counters[self.counter_key] = AckedWrite(COUNTER_KIND, self.counter_key, counter,
                                                                      counter_version, time.time())
            return None

        self.run("meta_write", KIND, body)

    def meta_read(self) -> None:
        with self.w.ledger.lock:
            acked = list(self.w.ledger.writes.values())
            counters = dict(self.w.ledger.counters)
        if not acked:
            return self.meta_write()
        sample = self.rng.sample(acked, min(20, len(acked)))

        def body() -> Optional[str]:
            got = self.client.meta.get_many(KIND, [w.key for w in sample], timeout=self.w.timeout)
            problems = check_writes(sample, got)
            if counters:
                read = self.client.meta.get_many(COUNTER_KIND, list(counters), timeout=self.w.timeout)
                problems += check_counters(list(counters.values()), read)
            if problems:
                with self.w.ledger.lock:
                    self.w.ledger.lost.extend({"time": time.time(), "by": "workload read", "problem": p} for p in problems)
                return "; ".join(problems[:3])
            return None

        self.run("meta_read", KIND, body)

    def list_(self) -> None:
        """The catalog lists every acknowledged version as published."""
        imported = self.w.ledger.imported()

        def body() -> Optional[str]:
            problems = []
            listed = {d.name: d for d in self.client.datasets()}
            for name, versions in imported.items():
                summary = listed.get(name)
                if summary is None:
                    problems.append(f"{name} is not listed, with acknowledged versions {sorted(versions)}")
                elif summary.latest_version < max(versions):
                    problems.append(f"{name}: latest version {summary.latest_version} < acknowledged {max(versions)}")
            if imported:
                name = self.rng.choice(sorted(imported))
                states = {v.version: v.state for v in self.client.versions(name)}
                for version in imported[name]:
                    if states.get(version) != "PUBLISHED":
                        problems.append(f"{name}@{version} acknowledged, listed as {states.get(version)}")
            if problems:
                with self.w.ledger.lock:
                    self.w.ledger.lost.extend({"time": time.time(), "by": "workload listing", "problem": p} for p in problems)
            return "; ".join(problems[:3]) or None

        self.run("list", "", body)


def check_writes(acked: List[AckedWrite], got: Dict[str, Any]) -> List[str]:
    """What differs between acknowledged records (unique keys) and what was read."""
    problems = []
    for write in acked:
        record = got.get(write.key)
        if record is None:
            problems.append(f"{write.kind}/{write.key} (store version {write.store_version}) is missing")
            continue
        values = {k: v for k, v in record.values.items() if v is not None or k in write.values}
        if any(values.get(k) != v for k, v in write.values.items()):
            problems.append(f"{write.kind}/{write.key}: read {record.values}, acknowledged {write.values}")
        elif record.version != write.store_version:
            problems.append(f"{write.kind}/{write.key}: read at store version {record.version}, acknowledged as {write.store_version}")
    return problems


def check_counters(acked: List[AckedWrite], got: Dict[str, Any]) -> List[str]:
    """A counter holds its thread's last acknowledged sequence number or a later one (a
    later batch whose answer was lost may have been applied)."""
    problems = []
    for write in acked:
        record = got.get(write.key)
        if record is None:
            problems.append(f"{write.kind}/{write.key} (seq {write.values['seq']}) is missing")
        elif int(record.values.get("seq", -1)) < int(write.values["seq"]) or record.version < write.store_version:
            problems.append(f"{write.kind}/{write.key}: read seq {record.values.get('seq')} at store version {record.version}, "
                            f"acknowledged seq {write.values['seq']} at {write.store_version}")
    return problems
