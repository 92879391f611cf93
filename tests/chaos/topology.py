"""The chaos suite's cluster on the netns harness (tests/multihost/netns.py).

One "host" (network namespace, fixed address) per service: ``metadata``, ``storage-0``,
``storage-1``, ``compute-0``, ``compute-1``, ``gateway``; plus ``client`` (where the
workload's threads live) and ``probe`` (the "node" that checks ``/readyz``). Every service
listens on 0.0.0.0:7000 (RPC) and :8080 (HTTP) of its own address, runs as 10001:10001
without capabilities, with a read-only root, its volumes bound where the images expect
them (``/usr/local/bin`` the binaries, ``/var/lib/anant/...`` its data, ``/etc/anant/...``
the tokens, ``/tmp`` a scratch folder of its own). Metadata and storage advertise stable
names (``metadata``, ``storage-0``... in every host's hosts file), compute its address, as
the manifests do: a restart is the same service started again on the same host, so it
keeps its address and its data (the catalog records shard replicas by address).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "multihost"))

from netns import Harness, Host, Mount, Proc  # noqa: E402

RPC_PORT = 7000
HTTP_PORT = 8080
UID = 10001
KINDS = ("metadata", "storage", "compute", "gateway")


@dataclass
class Service:
    """One service on its own host; ``proc`` is the running process (None when stopped)."""

    name: str
    kind: str
    host: Host
    argv: List[str]
    mounts: List[Mount]
    data_dir: Optional[str] = None  # the persistent volume (storage root, metadata's folder)
    proc: Optional[Proc] = None
    starts: int = 0
    paused: bool = False
    exits: List[Tuple[float, Optional[int]]] = field(default_factory=list)

    @property
    def ip(self) -> str:
        return self.host.ip

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.alive


class ChaosCluster:
    """The services, their hosts and volumes; start, stop, kill, pause, probe."""

    def __init__(self, net: Harness, bin_dir: str, work: str, *, storage: int = 2, compute: int = 2, replicas: int = 2,
                 heartbeat_seconds: float = 1.0, missed_beats: int = 3, cleanup_seconds: float = 2.0,
                 pending_seconds: float = 15.0, drain_seconds: float = 3.0, log_level: str = "info") -> None:
        self.net = net
        self.bin_dir = os.path.abspath(bin_dir)
        self.work = work
        self.replicas = replicas
        self.heartbeat_seconds = heartbeat_seconds
        self.missed_beats = missed_beats
        self.cleanup_seconds = cleanup_seconds
        self.pending_seconds = pending_seconds
        self.drain_seconds = drain_seconds
        self.log_level = log_level
        self.lock = threading.RLock()
        self.services: Dict[str, Service] = {}
        secrets_dir = os.path.join(work, "secrets")
        os.makedirs(secrets_dir, exist_ok=True)
        self.admin_token = secrets.token_hex(32)
        self.cluster_token_file = self._secret(os.path.join(secrets_dir, "cluster.token"), secrets.token_hex(32) + "\n")
        digest = hashlib.sha256(self.admin_token.encode()).hexdigest()
        self.tokens_file = self._secret(os.path.join(secrets_dir, "tokens"),
                                        f"# ROLE SHA256 [NAMESPACE] (throwaway, made by tests/chaos)\nadmin {digest}\n")
        self.probe = net.add_host("probe")
        names: Dict[str, List[str]] = {}
        plan = [("metadata", "metadata")] + [(f"storage-{i}", "storage") for i in range(storage)] + \
               [(f"compute-{i}", "compute") for i in range(compute)] + [("gateway", "gateway")]
        for name, kind in plan:
            host = net.add_host(name)
            self.services[name] = self._service(name, kind, host)
            if kind in ("metadata", "storage", "gateway"):
                names[name] = [host.ip]
        self.client = net.add_host("client")
        net.set_names(names)

    # MARK: Layout

    def _secret(self, path: str, text: str) -> str:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chown(path, UID, UID)
        os.chmod(path, 0o400)
        return path

    def _volume(self, *parts: str) -> str:
        path = os.path.join(self.work, "volumes", *parts)
        os.makedirs(path, exist_ok=True)
        os.chown(path, UID, UID)
        os.chmod(path, 0o750)
        return path

    def _service(self, name: str, kind: str, host: Host) -> Service:
        binary = f"/usr/local/bin/anant-{kind}"
        common = [f"--listen=0.0.0.0:{RPC_PORT}", f"--http=0.0.0.0:{HTTP_PORT}",
                  "--token-file=/etc/anant/cluster/cluster.token", "--threads=2", "--max-frame-mb=1024",
                  f"--log-level={self.log_level}", "--log-format=json", f"--drain-seconds={self.drain_seconds:g}"]
        mounts = [Mount(self.bin_dir, "/usr/local/bin", read_only=True),
                  Mount(os.path.dirname(self.cluster_token_file), "/etc/anant/cluster", read_only=True)]
        metadata = f"--metadata=metadata:{RPC_PORT}"
        data_dir: Optional[str] = None
        if kind == "metadata":
            data_dir = self._volume(name, "data")
            argv = [binary, "--db=/var/lib/anant/metadata.db", "--advertise=metadata",
                    f"--heartbeat-seconds={self.heartbeat_seconds:g}", f"--missed-beats={self.missed_beats}"]
            mounts.append(Mount(data_dir, "/var/lib/anant"))
        elif kind == "storage":
            data_dir = self._volume(name, "data")
            argv = [binary, "--root=/var/lib/anant/storage", metadata, f"--advertise={name}"]
            mounts.append(Mount(data_dir, "/var/lib/anant/storage"))
        elif kind == "compute":
            argv = [binary, metadata, "--cache-mb=256", "--cache-dir=/var/cache/anant/compute", f"--advertise={host.ip}"]
            mounts.append(Mount(self._volume(name, "cache"), "/var/cache/anant/compute"))
        else:
            argv = [binary, metadata, "--tokens=/etc/anant/gateway/tokens", f"--replicas={self.replicas}",
                    "--cache-mb=256", "--scratch=/var/cache/anant/gateway", f"--cleanup-seconds={self.cleanup_seconds:g}",
                    f"--pending-seconds={self.pending_seconds:g}", f"--advertise={host.ip}"]
            mounts.append(Mount(os.path.dirname(self.tokens_file), "/etc/anant/gateway", read_only=True))
            mounts.append(Mount(self._volume(name, "scratch"), "/var/cache/anant/gateway"))
        # /tmp last: the other sources live under the work folder in /tmp, which it hides.
        mounts.append(Mount(self._volume(name, "tmp"), "/tmp"))
        return Service(name, kind, host, argv + common, mounts, data_dir)

    def of_kind(self, kind: str) -> List[Service]:
        return [s for s in self.services.values() if s.kind == kind]

    @property
    def gateway_address(self) -> str:
        return f"{self.services['gateway'].ip}:{RPC_PORT}"

    def storage_roots(self) -> Dict[str, str]:
        """Each storage service's root as seen from here."""
        return {s.name: s.data_dir for s in self.of_kind("storage") if s.data_dir}

    # MARK: Processes

    def start(self, service: Service) -> None:
        """Starts the service (again) on its host, with its volumes; not waiting."""
        with self.lock:
            if service.alive:
                raise RuntimeError(f"{service.name} is running")
            env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "TMPDIR": "/tmp", "HOME": "/tmp"}
            label = service.name + (f".{service.starts}" if service.starts else "")
            service.proc = self.net.spawn(service.host, service.argv, name=label, env=env, mounts=service.mounts,
                                          read_only_root=True, uid=UID, gid=UID, workdir="/tmp")
            service.starts += 1
            service.paused = False

    def _reap(self, service: Service) -> None:
        if service.proc is not None and not service.proc.alive:
            service.exits.append((time.time(), service.proc.poll()))

    def kill(self, service: Service, sig: int = signal.SIGKILL) -> Optional[int]:
        """Sends ``sig`` (SIGKILL by default) and, for SIGKILL, waits for the exit."""
        proc = service.proc
        if proc is None:
            return None
        if service.paused and sig != signal.SIGCONT:
            service.paused = False
        try:
            os.kill(proc.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGKILL:
            code = proc.popen.wait(timeout=10)
            self._reap(service)
            return code
        return None

    def stop(self, service: Service, grace: float = 15.0) -> Tuple[Optional[int], bool]:
        """SIGTERM, ``grace`` seconds, SIGKILL; (exit status, whether it was killed)."""
        if service.proc is None:
            return None, False
        if service.paused:
            self.resume(service)
        result = self.net.stop(service.proc, grace=grace)
        self._reap(service)
        return result

    def pause(self, service: Service) -> None:
        if service.proc is not None:
            os.kill(service.proc.pid, signal.SIGSTOP)
            service.paused = True

    def resume(self, service: Service) -> None:
        if service.proc is not None:
            try:
                os.kill(service.proc.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            service.paused = False

    def ready(self, service: Service, timeout: float = 1.0) -> Tuple[bool, str]:
        """The readiness probe: GET /readyz from the probe host."""
        if not service.alive:
            return False, f"not running (exit {service.proc.poll() if service.proc else None})"
        status, body = self.net.http_get(self.probe, service.ip, HTTP_PORT, "/readyz", timeout=timeout)
        return status == 200, f"HTTP {status} {body[:80].strip()}"

    def wait_ready(self, services: Sequence[Service], deadline: float) -> List[str]:
        """Probes until every service is ready or the monotonic ``deadline``; the names of
        those that are not (empty: all ready)."""
        pending = list(services)
        while True:
            pending = [s for s in pending if not self.ready(s)[0]]
            if not pending or time.monotonic() >= deadline:
                return [f"{s.name} ({self.ready(s)[1]})" for s in pending]
            time.sleep(0.1)

    def start_all(self, timeout: float = 60.0) -> List[str]:
        """Metadata first, then storage and compute, then the gateway, each group ready
        before the next (as ``anant cluster up``); the names of those that did not get ready."""
        for kind in KINDS:
            group = self.of_kind(kind)
            for service in group:
                self.start(service)
            late = self.wait_ready(group, time.monotonic() + timeout)
            if late:
                return late
        return []

    def stop_all(self, grace: float = 5.0) -> None:
        for kind in reversed(KINDS):
            for service in self.of_kind(kind):
                if service.alive:
                    self.stop(service, grace=grace)

    def stderr_tail(self, service: Service, lines: int = 5) -> str:
        return service.proc.stderr_tail(lines) if service.proc else ""
