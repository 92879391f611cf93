#!/usr/bin/env python3
"""A reusable harness of network namespaces: one "host" per namespace on a private bridge.

Every host is a network namespace with a veth pair whose other end is enslaved to a bridge
(``anant-br0``) that lives in a namespace of its own, with no address and no route out:
traffic stays between the namespaces this harness made. Each host has its loopback up, an
address of the harness's /24 (10.77.0.0/24 by default) on ``eth0``, and a hosts file,
``/etc/netns/NAMESPACE/hosts``, which ``ip netns exec`` bind-mounts over ``/etc/hosts``:
that is the cluster's DNS (``set_names``), rewritten in place so that running processes
see every change (glibc reads the hosts file on every lookup).

Processes start in a host with :meth:`Harness.spawn` (``ip netns exec NS unshare --mount
--uts ...``, with bind mounts at chosen paths, an optional read-only root, and
``setpriv`` to a uid/gid without capabilities), stdout and stderr to log files; they stop
with :meth:`Harness.stop` (SIGTERM, a grace period, SIGKILL). Link faults for the chaos
tests: :meth:`Harness.link_down` / :meth:`link_up`, :meth:`netem` (delay, jitter, loss:
needs the kernel's ``sch_netem``; :func:`netem_supported` says), :meth:`rate_limit` (tbf),
:meth:`block` / :meth:`unblock` (nftables drops between two hosts), :meth:`clear_faults`.

Cleanup is always complete: :meth:`Harness.close` (also on SIGINT, SIGTERM, SIGHUP and at
interpreter exit) kills every process left in the harness's namespaces, deletes the
namespaces (their veths and the bridge go with them), the ``/etc/netns`` entries and the
mount-point folders it had to create, and its state file. A run that was SIGKILLed leaves
its state file in ``/run/anant-multihost``: ``python3 netns.py --cleanup`` removes what
any such run left (every namespace whose name starts with the prefix, ``amh`` by
default).

Needs root, iproute2 (``ip``, ``tc``), util-linux (``unshare``, ``setpriv``, ``mount``),
and nftables only for ``block``. Python standard library only (3.8+).

    with Harness(log_dir="/tmp/logs") as net:
        a, b = net.add_host("a"), net.add_host("b")
        net.set_names({"server": [b.ip]})
        p = net.spawn(b, ["python3", "-m", "http.server", "80"], name="web")
        net.run(a, ["curl", "http://server/"])
        net.stop(p, grace=5)
"""

from __future__ import annotations

import argparse
import atexit
import concurrent.futures
import ctypes
import ctypes.util
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar

__all__ = ["Harness", "Host", "Proc", "Mount", "HarnessError", "netem_supported", "cleanup_leftovers",
           "DEFAULT_PREFIX", "STATE_DIR"]

DEFAULT_PREFIX = "amh"
STATE_DIR = "/run/anant-multihost"
NETNS_ETC = "/etc/netns"
BRIDGE = "anant-br0"
CLONE_NEWNET = 0x40000000
T = TypeVar("T")


class HarnessError(RuntimeError):
    """A command of the harness failed (its output is in the message)."""


def _sh(argv: Sequence[str], check: bool = True, timeout: float = 30.0) -> subprocess.CompletedProcess:
    done = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise HarnessError(f"{shlex.join(argv)} exited {done.returncode}: {(done.stderr or done.stdout).strip()}")
    return done


@dataclass
class Host:
    """One network namespace on the bridge: ``ns`` is its name, ``ip`` its address."""

    name: str
    ns: str
    ip: str
    veth: str  # the bridge's end, in the bridge's namespace
    index: int

    def __str__(self) -> str:
        return f"{self.name}({self.ip})"


@dataclass
class Mount:
    """A bind mount made in a process's own mount namespace: ``source`` on ``target``."""

    source: str
    target: str
    read_only: bool = False


@dataclass
class Proc:
    """A process started by :meth:`Harness.spawn` (``pid`` is the program's own: every
    launcher in between execs)."""

    name: str
    host: Host
    argv: List[str]
    popen: subprocess.Popen
    stdout_path: str
    stderr_path: str
    started: float = field(default_factory=time.time)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def poll(self) -> Optional[int]:
        return self.popen.poll()

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def stdout_lines(self) -> List[str]:
        try:
            with open(self.stdout_path, encoding="utf-8", errors="replace") as handle:
                return [line.rstrip("\n") for line in handle if line.endswith("\n")]
        except FileNotFoundError:
            return []

    def ready_line(self, timeout: float = 0.0) -> Optional[dict]:
        """The first complete JSON line on the process's stdout (a service's ready line),
        waiting up to ``timeout`` seconds; None when none came (or the process exited)."""
        end = time.monotonic() + timeout
        while True:
            for line in self.stdout_lines():
                try:
                    value = json.loads(line)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    return value
            if time.monotonic() >= end or not self.alive:
                return None
            time.sleep(0.05)

    def stderr_tail(self, lines: int = 20) -> str:
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except FileNotFoundError:
            return ""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def enter_netns(ns: str) -> None:
    """Moves the calling thread (only it) into the network namespace ``ns``."""
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if _libc().setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise HarnessError(f"setns({ns}): {os.strerror(errno)}")
    finally:
        os.close(fd)


def netem_supported() -> bool:
    """Whether the kernel has the netem qdisc (delay, loss); tried in a throwaway namespace."""
    ns = f"{DEFAULT_PREFIX}probe{secrets.token_hex(3)}"
    try:
        _sh(["ip", "netns", "add", ns])
        return _sh(["tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"], check=False).returncode == 0
    finally:
        _sh(["ip", "netns", "del", ns], check=False)


class Harness:
    """Network namespaces on one private bridge, their hosts files, processes and faults.

    Args:
        log_dir: where the processes' ``NAME.stdout`` / ``NAME.stderr`` go.
        subnet: the first three octets of the /24 (hosts get .2, .3, ...).
        prefix: the prefix of every namespace's name, so ``--cleanup`` finds leftovers.
        handle_signals: turn SIGINT/SIGTERM/SIGHUP into SystemExit, so ``with`` blocks and
            ``finally`` run (and the cleanup); only from the main thread.
    """

    def __init__(self, log_dir: str, subnet: str = "10.77.0", prefix: str = DEFAULT_PREFIX,
                 handle_signals: bool = True) -> None:
        if os.geteuid() != 0:
            raise HarnessError("the netns harness needs root (ip netns, veth, mount)")
        self.run_id = secrets.token_hex(2)
        self.prefix = prefix
        self.base = f"{prefix}{self.run_id}"
        self.subnet = subnet
        self.log_dir = os.path.abspath(log_dir)
        os.makedirs(self.log_dir, exist_ok=True)
        self.bridge_ns = f"{self.base}-bridge"
        self.hosts: Dict[str, Host] = {}
        self.procs: List[Proc] = []
        self.names: Dict[str, List[str]] = {}  # DNS name -> addresses, for every host
        self.host_names: Dict[str, Dict[str, List[str]]] = {}  # per-host overrides
        self._next_index = 2
        self._created_netns: List[str] = []
        self._created_etc: List[str] = []
        self._created_dirs: List[str] = []
        self._lock = threading.RLock()
        self._closed = False
        self._executors: Dict[str, concurrent.futures.ThreadPoolExecutor] = {}
        self.state_path = os.path.join(STATE_DIR, f"{self.base}.json")
        for folder in (STATE_DIR, NETNS_ETC):  # removed again when empty at the end
            if not os.path.isdir(folder):
                os.makedirs(folder, exist_ok=True)
                self._created_dirs.append(folder)
        self._save_state()
        atexit.register(self.close)
        if handle_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, self._on_signal)
        try:
            self._add_netns(self.bridge_ns)
            self._ip(self.bridge_ns, "link", "add", BRIDGE, "type", "bridge")
            self._ip(self.bridge_ns, "link", "set", BRIDGE, "up")
            self._ip(self.bridge_ns, "link", "set", "lo", "up")
        except BaseException:
            self.close()
            raise

    # MARK: Lifecycle

    def __enter__(self) -> "Harness":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _on_signal(self, signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    def _save_state(self) -> None:
        state = {"prefix": self.prefix, "base": self.base, "pid": os.getpid(), "netns": self._created_netns,
                 "etc": self._created_etc, "dirs": self._created_dirs, "procs": [p.pid for p in self.procs]}
        tmp = self.state_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(tmp, self.state_path)

    def close(self) -> None:
        """Removes everything the harness made; safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if threading.current_thread() is threading.main_thread():  # a second ^C must not cut the cleanup short
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
        for executor in self._executors.values():
            executor.shutdown(wait=False)
        for proc in self.procs:  # our own children first (so that Popen reaps them)
            if proc.alive:
                try:
                    os.kill(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        _remove(self._created_netns, self._created_etc, self._created_dirs, self.prefix)
        try:
            os.unlink(self.state_path)
        except FileNotFoundError:
            pass
        for folder in (NETNS_ETC, STATE_DIR):
            if folder in self._created_dirs and not os.listdir(folder) if os.path.isdir(folder) else False:
                try:
                    os.rmdir(folder)
                except OSError:
                    pass

    # MARK: Hosts

    def _ip(self, ns: str, *argv: str) -> None:
        _sh(["ip", "-n", ns, *argv])

    def _add_netns(self, ns: str) -> None:
        _sh(["ip", "netns", "add", ns])
        with self._lock:
            self._created_netns.append(ns)
            self._save_state()

    def add_host(self, name: str) -> Host:
        """A new namespace on the bridge, with the next address of the subnet."""
        with self._lock:
            if name in self.hosts:
                raise HarnessError(f"a host named {name} exists")
            index = self._next_index
            self._next_index += 1
            if index > 254:
                raise HarnessError("the /24 is full")
        ns = f"{self.base}-{name}"
        veth = f"v{self.run_id}{index}"  # at most 8 characters: interface names are ≤ 15
        host = Host(name, ns, f"{self.subnet}.{index}", veth, index)
        etc = os.path.join(NETNS_ETC, ns)
        os.makedirs(etc, exist_ok=True)
        with self._lock:
            self._created_etc.append(etc)
            self._save_state()
        self._add_netns(ns)
        self._ip(self.bridge_ns, "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
        self._ip(self.bridge_ns, "link", "set", veth, "master", BRIDGE)
        self._ip(self.bridge_ns, "link", "set", veth, "up")
        self._ip(ns, "link", "set", "lo", "up")
        self._ip(ns, "addr", "add", f"{host.ip}/24", "dev", "eth0")
        self._ip(ns, "link", "set", "eth0", "up")
        with self._lock:
            self.hosts[name] = host
            self.host_names[name] = {}
        self._write_hosts(host)
        return host

    def remove_host(self, host: Host) -> None:
        """Deletes a host's namespace (kill its processes first) and its hosts file."""
        for pid in self.pids(host):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _sh(["ip", "netns", "del", host.ns], check=False)
        _rmtree(os.path.join(NETNS_ETC, host.ns))
        with self._lock:
            self.hosts.pop(host.name, None)
            self.host_names.pop(host.name, None)
            self._created_netns = [n for n in self._created_netns if n != host.ns]
            self._created_etc = [e for e in self._created_etc if e != os.path.join(NETNS_ETC, host.ns)]
            self._save_state()

    def pids(self, host: Host) -> List[int]:
        done = _sh(["ip", "netns", "pids", host.ns], check=False)
        return [int(p) for p in done.stdout.split() if p.isdigit()]

    # MARK: Names (the hosts files)

    def set_names(self, names: Mapping[str, Sequence[str]], host: Optional[Host] = None, replace: bool = False) -> None:
        """Sets DNS names (name -> addresses; an empty list removes the name) in every
        host's hosts file, or only in ``host``'s (an override of the global table)."""
        with self._lock:
            table = self.names if host is None else self.host_names[host.name]
            if replace:
                table.clear()
            for name, addresses in names.items():
                if addresses:
                    table[name] = list(addresses)
                else:
                    table.pop(name, None)
            targets = list(self.hosts.values()) if host is None else [host]
            for target in targets:
                self._write_hosts(target)

    def resolve(self, host: Host, name: str) -> List[str]:
        """What ``name`` resolves to in ``host`` (its overrides, then the global table)."""
        with self._lock:
            return list(self.host_names.get(host.name, {}).get(name) or self.names.get(name, []))

    def _write_hosts(self, host: Host) -> None:
        with self._lock:
            table = dict(self.names)
            table.update(self.host_names.get(host.name, {}))
            lines = ["127.0.0.1       localhost", f"{host.ip:<15} {host.name}"]
            for name in sorted(table):
                for address in table[name]:
                    lines.append(f"{address:<15} {name}")
            data = ("\n".join(lines) + "\n").encode()
            path = os.path.join(NETNS_ETC, host.ns, "hosts")
            # In place (same inode): ip netns exec bind-mounted this very file into every
            # running process of the host. One write, then a truncation when it shrank.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                os.pwrite(fd, data, 0)
                os.ftruncate(fd, len(data))
            finally:
                os.close(fd)

    # MARK: Processes

    def ensure_mountpoint(self, path: str) -> None:
        """Creates ``path`` (and missing parents) as an empty folder to mount on, recorded
        so that the cleanup removes what it created."""
        missing = []
        probe = os.path.abspath(path)
        while not os.path.exists(probe):
            missing.append(probe)
            probe = os.path.dirname(probe)
        for folder in reversed(missing):
            os.mkdir(folder, 0o755)
            with self._lock:
                self._created_dirs.append(folder)
                self._save_state()

    def command(self, host: Host, argv: Sequence[str], *, mounts: Sequence[Mount] = (), read_only_root: bool = False,
                uid: Optional[int] = None, gid: Optional[int] = None, groups: Sequence[int] = (),
                hostname: Optional[str] = None, workdir: Optional[str] = None, keep_pwd: bool = False) -> List[str]:
        """The command line that runs ``argv`` in ``host`` as :meth:`spawn` does."""
        script: List[str] = ["set -e"]
        for mount in mounts:
            self.ensure_mountpoint(mount.target)
            script.append(f"mount --bind {shlex.quote(mount.source)} {shlex.quote(mount.target)}")
            if mount.read_only:
                script.append(f"mount -o remount,bind,ro {shlex.quote(mount.target)}")
        if read_only_root:
            script.append("mount -o remount,bind,ro /")
        if hostname:
            script.append(f"hostname {shlex.quote(hostname)}")
        if workdir:
            script.append(f"cd {shlex.quote(workdir)}")
        final = list(argv)
        if uid is not None:
            ids = ["--reuid", str(uid), "--regid", str(gid if gid is not None else uid)]
            ids += ["--groups", ",".join(str(g) for g in groups)] if groups else ["--clear-groups"]
            final = ["setpriv", *ids, "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--", *final]
        if not keep_pwd:  # the shell exported PWD: the program gets exactly the environment given
            final = ["env", "-u", "PWD", "-u", "OLDPWD", *final]
        script.append("exec " + shlex.join(final))
        return ["ip", "netns", "exec", host.ns, "unshare", "--mount", "--uts", "--propagation", "private", "--",
                "/bin/sh", "-c", "\n".join(script)]

    def spawn(self, host: Host, argv: Sequence[str], *, name: str, env: Optional[Mapping[str, str]] = None,
              mounts: Sequence[Mount] = (), read_only_root: bool = False, uid: Optional[int] = None,
              gid: Optional[int] = None, groups: Sequence[int] = (), hostname: Optional[str] = None,
              workdir: Optional[str] = None) -> Proc:
        """Starts ``argv`` in ``host``: in a mount namespace of its own with ``mounts``
        bound (and ``/`` read-only when asked), as ``uid``:``gid`` with no capabilities
        when given, with exactly ``env`` (plus PATH when it has none). stdout and stderr go
        to ``LOG_DIR/NAME.stdout`` and ``.stderr`` (a second start of the same name
        appends)."""
        environment = dict(env if env is not None else os.environ)
        command = self.command(host, argv, mounts=mounts, read_only_root=read_only_root, uid=uid, gid=gid,
                               groups=groups, hostname=hostname, workdir=workdir, keep_pwd="PWD" in environment)
        environment.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        stdout_path = os.path.join(self.log_dir, f"{name}.stdout")
        stderr_path = os.path.join(self.log_dir, f"{name}.stderr")
        with open(stdout_path, "ab") as out, open(stderr_path, "ab") as err:
            popen = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=environment,
                                     start_new_session=True, close_fds=True)
        proc = Proc(name, host, list(argv), popen, stdout_path, stderr_path)
        with self._lock:
            self.procs.append(proc)
            self._save_state()
        return proc

    def stop(self, proc: Proc, grace: float = 10.0, sig: int = signal.SIGTERM) -> Tuple[Optional[int], bool]:
        """Sends ``sig`` (SIGTERM), waits up to ``grace`` seconds, then SIGKILLs.

        Returns:
            (exit status, whether it had to be killed); a negative status is the signal.
        """
        if proc.alive:
            try:
                os.kill(proc.pid, sig)
            except ProcessLookupError:
                pass
        try:
            return proc.popen.wait(timeout=max(0.0, grace)), False
        except subprocess.TimeoutExpired:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return proc.popen.wait(timeout=10), True

    def run(self, host: Host, argv: Sequence[str], *, timeout: float = 60.0, env: Optional[Mapping[str, str]] = None,
            check: bool = False) -> subprocess.CompletedProcess:
        """Runs a command to its end in ``host`` (with its hosts file), capturing output."""
        done = subprocess.run(["ip", "netns", "exec", host.ns, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout, env=dict(env) if env is not None else None)
        if check and done.returncode != 0:
            raise HarnessError(f"{shlex.join(argv)} in {host} exited {done.returncode}: {done.stderr.strip()}")
        return done

    def call_in(self, host: Host, function: Callable[[], T], timeout: Optional[float] = None) -> T:
        """Runs ``function`` on a thread that lives in ``host``'s network namespace (its
        sockets are that host's; its hosts file is not: connect to addresses)."""
        with self._lock:
            executor = self._executors.get(host.ns)
            if executor is None:
                executor = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix=f"netns-{host.name}",
                                                                 initializer=enter_netns, initargs=(host.ns,))
                self._executors[host.ns] = executor
        return executor.submit(function).result(timeout=timeout)

    def http_get(self, host: Host, address: str, port: int, path: str, timeout: float = 3.0) -> Tuple[int, str]:
        """An HTTP GET from ``host`` (as a kubelet probes): (status, body); status 0 when
        the connection failed."""
        import http.client

        def get() -> Tuple[int, str]:
            connection = http.client.HTTPConnection(address, port, timeout=timeout)
            try:
                connection.request("GET", path, headers={"User-Agent": "kube-probe/1.30"})
                response = connection.getresponse()
                return response.status, response.read(65536).decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as error:
                return 0, str(error)
            finally:
                connection.close()

        return self.call_in(host, get, timeout=timeout + 5)

    # MARK: Firewall (nftables in a host's namespace)

    def nft(self, host: Host, script: str) -> None:
        """Loads an nftables script (``nft -f -``) in ``host``'s namespace."""
        done = subprocess.run(["ip", "netns", "exec", host.ns, "nft", "-f", "-"], input=script, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if done.returncode != 0:
            raise HarnessError(f"nft in {host}: {done.stderr.strip()}\n{script}")

    def nft_set_elements(self, host: Host, table: str, name: str) -> List[List[Any]]:
        """The elements of an nftables set in ``host`` (``table`` as "inet NAME"), each a
        list of its concatenated fields; [] when the set or table is missing."""
        done = _sh(["ip", "netns", "exec", host.ns, "nft", "-j", "list", "set", *table.split(), name], check=False)
        if done.returncode != 0:
            return []
        elements: List[List[Any]] = []
        for item in json.loads(done.stdout).get("nftables", []):
            for element in item.get("set", {}).get("elem", []) or []:
                value = element.get("elem", {}).get("val", element) if isinstance(element, dict) else element
                if isinstance(value, dict) and "concat" in value:
                    elements.append(list(value["concat"]))
                else:
                    elements.append([value])
        return elements

    # MARK: Link faults

    def link_down(self, host: Host) -> None:
        """Cuts the host off the bridge (its veth's bridge end goes down)."""
        self._ip(self.bridge_ns, "link", "set", host.veth, "down")

    def link_up(self, host: Host) -> None:
        self._ip(self.bridge_ns, "link", "set", host.veth, "up")

    def netem(self, host: Host, delay_ms: float = 0, jitter_ms: float = 0, loss_percent: float = 0) -> None:
        """Delays (and drops) what ``host`` sends: ``tc qdisc replace dev eth0 root netem``.
        Raises HarnessError when the kernel has no netem (:func:`netem_supported`)."""
        argv = ["tc", "-n", host.ns, "qdisc", "replace", "dev", "eth0", "root", "netem"]
        if delay_ms or jitter_ms:
            argv += ["delay", f"{delay_ms}ms"] + ([f"{jitter_ms}ms"] if jitter_ms else [])
        if loss_percent:
            argv += ["loss", f"{loss_percent}%"]
        done = _sh(argv, check=False)
        if done.returncode != 0:
            raise HarnessError(f"netem on {host}: {done.stderr.strip()}"
                               + (" (this kernel has no sch_netem)" if "unknown" in done.stderr.lower() else ""))

    def rate_limit(self, host: Host, rate: str = "1mbit", burst: str = "32kbit", latency: str = "400ms") -> None:
        """Limits what ``host`` sends (tbf qdisc on its eth0)."""
        _sh(["tc", "-n", host.ns, "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate, "burst", burst,
             "latency", latency])

    def block(self, host: Host, peer: Host) -> None:
        """Drops every packet between ``host`` and ``peer`` (nftables in ``host``'s
        namespace, both directions): a partition of the pair."""
        table = f"inet {self.prefix}faults"
        script = (f"add table {table}\n"
                  f"add chain {table} in {{ type filter hook input priority 0; }}\n"
                  f"add chain {table} out {{ type filter hook output priority 0; }}\n"
                  f"add rule {table} in ip saddr {peer.ip} drop\n"
                  f"add rule {table} out ip daddr {peer.ip} drop\n")
        subprocess.run(["ip", "netns", "exec", host.ns, "nft", "-f", "-"], input=script, text=True, check=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def unblock(self, host: Host) -> None:
        """Removes every drop :meth:`block` added in ``host``."""
        _sh(["ip", "netns", "exec", host.ns, "nft", "delete", "table", "inet", f"{self.prefix}faults"], check=False)

    def clear_faults(self, host: Host) -> None:
        """Link up, no qdisc, no drops."""
        self.link_up(host)
        _sh(["tc", "-n", host.ns, "qdisc", "del", "dev", "eth0", "root"], check=False)
        self.unblock(host)


# MARK: Removal


def _rmtree(path: str) -> None:
    if not os.path.isdir(path):
        return
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if os.path.isdir(full) and not os.path.islink(full):
            _rmtree(full)
        else:
            os.unlink(full)
    os.rmdir(path)


def _kill_netns_processes(ns: str) -> None:
    pids = [int(p) for p in _sh(["ip", "netns", "pids", ns], check=False).stdout.split() if p.isdigit()]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    end = time.monotonic() + 5
    while pids and time.monotonic() < end:
        pids = [p for p in pids if _running(p)]
        time.sleep(0.05)


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (an orphan's parent may reap it late)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _remove(netns: Iterable[str], etc: Iterable[str], dirs: Iterable[str], prefix: str) -> None:
    for ns in list(netns)[::-1]:
        _kill_netns_processes(ns)
        _sh(["ip", "netns", "del", ns], check=False)
    for path in etc:
        if os.path.basename(path).startswith(prefix):
            _rmtree(path)
    others = [p for p in _state_files() if _state_alive(p)]
    if not others:  # a mount point may be in use by another run's processes
        for path in sorted(dirs, key=len, reverse=True):
            try:
                os.rmdir(path)
            except OSError:
                pass


def _state_files() -> List[str]:
    if not os.path.isdir(STATE_DIR):
        return []
    return [os.path.join(STATE_DIR, n) for n in os.listdir(STATE_DIR) if n.endswith(".json")]


def _state_alive(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            pid = json.load(handle).get("pid")
        return bool(pid) and pid != os.getpid() and _running(int(pid))
    except (OSError, ValueError):
        return False


def cleanup_leftovers(prefix: str = DEFAULT_PREFIX, include_live: bool = False) -> List[str]:
    """Removes what killed runs left: every namespace named PREFIX…, its /etc/netns entry,
    the mount points their state files recorded, the state files. Runs whose process still
    lives are left alone unless ``include_live``. Returns what it removed."""
    removed: List[str] = []
    live_bases = set()
    dirs: List[str] = []
    for path in _state_files():
        try:
            with open(path, encoding="utf-8") as handle:
                state = json.load(handle)
        except (OSError, ValueError):
            os.unlink(path)
            continue
        if _state_alive(path) and not include_live:
            live_bases.add(state.get("base", ""))
            continue
        dirs += state.get("dirs", [])
        os.unlink(path)
        removed.append(path)
    listed = _sh(["ip", "netns", "list"], check=False).stdout.split("\n")
    names = [line.split()[0] for line in listed if line.strip()]
    ours = [n for n in names if n.startswith(prefix) and not any(b and n.startswith(b + "-") for b in live_bases)]
    for ns in sorted(ours, key=lambda n: n.endswith("-bridge")):  # the bridge's last
        _kill_netns_processes(ns)
        _sh(["ip", "netns", "del", ns], check=False)
        removed.append(f"netns {ns}")
    if os.path.isdir(NETNS_ETC):
        for entry in os.listdir(NETNS_ETC):
            if entry.startswith(prefix) and not any(b and entry.startswith(b + "-") for b in live_bases):
                _rmtree(os.path.join(NETNS_ETC, entry))
                removed.append(f"{NETNS_ETC}/{entry}")
    if not live_bases:
        for path in sorted(set(dirs), key=len, reverse=True):
            try:
                os.rmdir(path)
                removed.append(path)
            except OSError:
                pass
    return removed


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="The multi-host netns harness: cleanup and self-check.")
    parser.add_argument("--cleanup", action="store_true", help="remove what killed runs left (namespaces, /etc/netns, mount points)")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--all", action="store_true", help="with --cleanup: runs whose process still lives too")
    parser.add_argument("--self-test", action="store_true", help="two hosts, a name, a TCP round trip, a partition")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("netns.py: needs root", file=sys.stderr)
        return 1
    if args.cleanup:
        removed = cleanup_leftovers(args.prefix, include_live=args.all)
        print(f"netns.py: removed {len(removed)} leftovers" + "".join(f"\n  {r}" for r in removed))
        return 0
    if args.self_test:
        import tempfile

        with tempfile.TemporaryDirectory() as logs, Harness(logs) as net:
            a, b = net.add_host("a"), net.add_host("b")
            net.set_names({"server.test": [b.ip]})
            server = net.spawn(b, [sys.executable, "-m", "http.server", "--bind", "0.0.0.0", "8000"], name="server",
                               uid=65534, read_only_root=True)
            deadline = time.monotonic() + 10
            status = 0
            while time.monotonic() < deadline and status != 200:
                status, _ = net.http_get(a, b.ip, 8000, "/", timeout=1)
                time.sleep(0.1)
            resolved = net.run(a, ["getent", "hosts", "server.test"]).stdout.split()
            net.block(a, b)
            blocked, _ = net.http_get(a, b.ip, 8000, "/", timeout=1)
            net.clear_faults(a)
            again, _ = net.http_get(a, b.ip, 8000, "/", timeout=2)
            net.stop(server, grace=3)
            ok = status == 200 and resolved[:1] == [b.ip] and blocked == 0 and again == 200
            print(f"netns.py self-test: GET {status}, server.test -> {resolved[:1]}, blocked {blocked}, after {again}, "
                  f"netem {'available' if netem_supported() else 'missing in this kernel'}: {'OK' if ok else 'FAILED'}")
            return 0 if ok else 1
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
