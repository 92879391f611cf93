"""The faults the chaos suite injects, planned from the seed.

| kind | what | healed by |
|---|---|---|
| ``kill`` | SIGKILL, down for a moment | starting the same service again on its host (same address, same volume) |
| ``pause`` | SIGSTOP for longer than a lease (heartbeat × missed beats) | SIGCONT |
| ``restart`` | SIGTERM (the service drains), then the same service started again | (itself) |
| ``link_down`` | the host's veth off the bridge for a few seconds | link up |
| ``partition`` | nftables drops between two hosts for a few seconds | the table deleted |
| ``slow`` | tbf on the host's egress (a slow link) for a few seconds | the qdisc deleted |
| ``oneway`` | nftables drops what one host sends to another (an asymmetric partition: requests arrive, answers and ACKs do not) | the table deleted |
| ``netem`` | delay and loss (only where the kernel has sch_netem) | the qdisc deleted |
| ``publish_lost`` | (opt-in: ``--kinds``) an import of the suite's own is held in its shard puts (storage-0 paused 1 s), metadata's packets to the gateway are dropped meanwhile, so the publication commits but its answer never arrives; kept for longer than the gateway's publication timeout and its abandon (45 s) | the table deleted |

The plan (kinds, targets, durations) depends only on the seed and the number of faults:
kinds go round a seeded order so that a short run sees each of them, and the targets of
the process faults go round the four kinds of service (metadata, storage, compute,
gateway) the same way; an instance (storage-0 or storage-1...) and the durations are drawn.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from topology import ChaosCluster, Service

PROCESS_FAULTS = ("kill", "pause", "restart")
LINK_FAULTS = ("link_down", "partition", "slow", "oneway")
EXTRA_FAULTS = ("publish_lost",)  # opt-in (--kinds): long, and it fails while the gateway's abandon can unpublish
# One-way drops: (sender, receiver) kinds.
ONEWAY_PAIRS = [("metadata", "gateway"), ("storage", "gateway"), ("compute", "gateway"), ("metadata", "storage"),
                ("metadata", "compute"), ("storage", "compute")]
ONEWAY_TABLE = "chaosoneway"
# Pairs that talk to each other (a partition between them matters).
PARTITION_PAIRS = [("gateway", "storage"), ("gateway", "compute"), ("compute", "storage"), ("gateway", "metadata"),
                   ("storage", "metadata"), ("compute", "metadata")]


@dataclass
class Fault:
    index: int
    kind: str
    target: str  # a service's name
    peer: str = ""  # partition: the other service
    seconds: float = 0.0  # how long the fault lasts (down, paused, cut)
    rate: str = ""  # slow: the tbf rate
    aim: float = -1.0  # kill: >= 0 to strike this many seconds after an import started (when one runs)
    # Filled in when injected:
    start: float = 0.0  # time.time()
    healed: float = 0.0
    recovered: float = 0.0  # healthy again (0: never)
    recovery_seconds: float = 0.0
    survived: bool = False
    detail: str = ""
    findings: List[str] = field(default_factory=list)

    def describe(self) -> str:
        aimed = f" {self.aim * 1000:.0f} ms into an import" if self.aim >= 0 else ""
        what = {"kill": f"kill -9 {self.target}{aimed}, down {self.seconds:.1f}s, started again",
                "pause": f"SIGSTOP {self.target} for {self.seconds:.1f}s, SIGCONT",
                "restart": f"restart {self.target} (SIGTERM, drain, start again)",
                "link_down": f"link of {self.target} down for {self.seconds:.1f}s",
                "partition": f"partition {self.target} | {self.peer} for {self.seconds:.1f}s",
                "slow": f"slow link {self.target} ({self.rate}) for {self.seconds:.1f}s",
                "oneway": f"drop what {self.target} sends to {self.peer} for {self.seconds:.1f}s",
                "publish_lost": f"an import's publication answer lost (metadata -> gateway dropped {self.seconds:.0f}s)",
                "netem": f"netem delay/loss on {self.target} for {self.seconds:.1f}s"}
        return what.get(self.kind, self.kind)


def default_kinds(netem: bool) -> List[str]:
    return list(PROCESS_FAULTS + LINK_FAULTS) + (["netem"] if netem else [])


def plan(seed: int, count: int, cluster: ChaosCluster, lease: float, kinds: List[str]) -> List[Fault]:
    rng = random.Random(seed)
    service_kinds = ["metadata", "storage", "compute", "gateway"]
    kind_order: List[str] = []
    target_order: List[str] = []
    faults: List[Fault] = []
    for index in range(count):
        if not kind_order:
            kind_order = rng.sample(kinds, len(kinds))
        kind = kind_order.pop()
        if kind in PROCESS_FAULTS or kind == "link_down":
            if not target_order:
                target_order = rng.sample(service_kinds, len(service_kinds))
            target = rng.choice(cluster.of_kind(target_order.pop())).name
        elif kind in ("partition", "oneway"):
            a, b = rng.choice(PARTITION_PAIRS if kind == "partition" else ONEWAY_PAIRS)
            target, peer = rng.choice(cluster.of_kind(a)).name, rng.choice(cluster.of_kind(b)).name
            faults.append(Fault(index, kind, target, peer=peer, seconds=round(rng.uniform(2.0, 4.5), 1)))
            continue
        elif kind == "publish_lost":
            faults.append(Fault(index, kind, "metadata", peer="gateway", seconds=45.0))
            continue
        else:  # slow, netem: links that carry data
            target = rng.choice([s.name for s in cluster.services.values() if s.kind in ("storage", "compute", "gateway")])
        seconds = {"kill": rng.uniform(0.3, 2.0), "pause": lease + rng.uniform(0.5, 2.0), "restart": 0.0,
                   "link_down": rng.uniform(2.0, 4.5), "slow": rng.uniform(3.0, 5.0), "netem": rng.uniform(3.0, 5.0)}[kind]
        # Half the kills of the services an import goes through strike while one runs.
        aim = round(rng.uniform(0.0, 0.25), 3) if kind == "kill" and not target.startswith("compute") and rng.random() < 0.5 else -1.0
        faults.append(Fault(index, kind, target, seconds=round(seconds, 1), aim=aim,
                            rate=rng.choice(["256kbit", "1mbit", "4mbit"]) if kind == "slow" else ""))
    return faults


class Injector:
    """Applies a fault, holds it for its duration, heals it."""

    def __init__(self, cluster: ChaosCluster) -> None:
        self.cluster = cluster
        self.active: Dict[str, str] = {}  # host -> fault, for the cleanup of an interrupted run

    def inject(self, fault: Fault, wait: Callable[[float], None],
               import_in_flight: Optional[Callable[[float], bool]] = None,
               own_import: Optional[Callable[[], None]] = None) -> None:
        """Applies ``fault``; ``wait(seconds)`` holds it; heals it. An aimed kill first waits
        (up to 3 s) for an import in flight (``import_in_flight(timeout)``)."""
        cluster = self.cluster
        service = cluster.services[fault.target]
        net = cluster.net
        if fault.kind == "kill" and fault.aim >= 0 and import_in_flight is not None:
            if import_in_flight(3.0):
                time.sleep(fault.aim)
            else:
                fault.detail = "(no import ran within 3 s) "
        fault.start = time.time()
        if fault.kind == "kill":
            cluster.kill(service, signal.SIGKILL)
            wait(fault.seconds)
            cluster.start(service)
        elif fault.kind == "pause":
            cluster.pause(service)
            try:
                wait(fault.seconds)
            finally:
                cluster.resume(service)
        elif fault.kind == "restart":
            code, killed = cluster.stop(service, grace=cluster.drain_seconds + 10)
            fault.detail = f"exited {code}" + (" (SIGKILL after the grace)" if killed else "")
            cluster.start(service)
        elif fault.kind == "link_down":
            net.link_down(service.host)
            try:
                wait(fault.seconds)
            finally:
                net.link_up(service.host)
        elif fault.kind == "partition":
            peer = cluster.services[fault.peer]
            net.block(service.host, peer.host)
            try:
                wait(fault.seconds)
            finally:
                net.unblock(service.host)
        elif fault.kind == "slow":
            net.rate_limit(service.host, fault.rate)
            try:
                wait(fault.seconds)
            finally:
                clear_qdisc(service)
        elif fault.kind == "oneway":
            self.drop_oneway(service, cluster.services[fault.peer])
            try:
                wait(fault.seconds)
            finally:
                self.undrop_oneway(service)
        elif fault.kind == "publish_lost":
            import threading

            storage = cluster.services["storage-0"]
            cluster.pause(storage)  # the import's puts wait here
            importer = threading.Thread(target=own_import, name="publish-lost-import", daemon=True)
            try:
                importer.start()
                wait(1.0)
                self.drop_oneway(service, cluster.services[fault.peer])
            finally:
                cluster.resume(storage)
            try:
                wait(fault.seconds)
            finally:
                self.undrop_oneway(service)
            importer.join(timeout=60)
        elif fault.kind == "netem":
            net.netem(service.host, delay_ms=80, jitter_ms=40, loss_percent=5)
            try:
                wait(fault.seconds)
            finally:
                clear_qdisc(service)
        else:
            raise ValueError(fault.kind)
        fault.healed = time.time()

    def drop_oneway(self, sender: Service, receiver: Service) -> None:
        """Drops every packet ``sender`` sends to ``receiver`` (nftables output chain in the
        sender's namespace); what the receiver sends still arrives."""
        table = f"inet {ONEWAY_TABLE}"
        self.cluster.net.nft(sender.host, f"add table {table}\n"
                                          f"add chain {table} out {{ type filter hook output priority 0; }}\n"
                                          f"add rule {table} out ip daddr {receiver.ip} drop\n")

    def undrop_oneway(self, sender: Service) -> None:
        subprocess.run(["ip", "netns", "exec", sender.host.ns, "nft", "delete", "table", "inet", ONEWAY_TABLE],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def heal_everything(self) -> None:
        """Every link up, no qdisc, no drops, nothing paused (an interrupted run)."""
        for service in self.cluster.services.values():
            try:
                self.cluster.net.clear_faults(service.host)
                self.undrop_oneway(service)
            except Exception:
                pass
            if service.paused:
                self.cluster.resume(service)


def clear_qdisc(service: Service) -> None:
    subprocess.run(["tc", "-n", service.host.ns, "qdisc", "del", "dev", "eth0", "root"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
