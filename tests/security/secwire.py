"""Helpers of the security suite (tests/security/test_security.py): raw frames and calls on
Anant's wire (docs/wire.md), the processes the suite starts (a local cluster, standalone
services), and what it measures of them (/proc/PID: RSS, open descriptors).

Everything here waits with deadlines: no bare sleeps, every socket has a timeout, every
process the suite starts is recorded (ANANT_SECURITY_SCRATCH/pids) so that run.sh can kill
it even when Python dies.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from anant_client._proto.anant.v1 import envelope_pb2

Envelope = envelope_pb2.Envelope
REQUEST, RESPONSE, STREAM_ITEM, END_OF_STREAM, CANCEL, PING, PONG = 1, 2, 3, 4, 5, 6, 7
GATEWAY, STORAGE, METADATA, COMPUTE = "anant.v1.Gateway/", "anant.v1.Storage/", "anant.v1.Metadata/", "anant.v1.Compute/"
HEADER = struct.Struct(">I")


# MARK: Waiting


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Polls ``predicate`` until it holds or ``timeout`` seconds pass; whether it held."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        # A wait on an event nobody sets: a bounded pause between polls, not a bare sleep.
        threading.Event().wait(min(interval, max(0.0, deadline - time.monotonic())))


# MARK: Frames and calls


def address_pair(address: str) -> Tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def frame(envelope: "envelope_pb2.Envelope") -> bytes:
    body = envelope.SerializeToString()
    return HEADER.pack(len(body)) + body


def raw_frame(body: bytes) -> bytes:
    return HEADER.pack(len(body)) + body


def request(method: str, payload: Optional[bytes] = b"", token: str = "", request_id: int = 1, kind: int = REQUEST,
            deadline_nanos: int = 0) -> "envelope_pb2.Envelope":
    envelope = Envelope(request_id=request_id, method=method, kind=kind, auth_token=token)
    if payload is not None:
        envelope.payload = payload
    if deadline_nanos:
        envelope.deadline_unix_nanos = deadline_nanos
    return envelope


@dataclass
class Outcome:
    """How a call ended: ``status`` (code name, message), ``ok`` (payloads), ``closed`` (the
    server closed the connection), ``timeout`` (no answer in time)."""

    kind: str
    code: str = ""
    message: str = ""
    payloads: List[bytes] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The status code's name for a status ("OK" for success), or the kind."""
        if self.kind == "ok":
            return "OK"
        return self.code if self.kind == "status" else self.kind.upper()

    def __str__(self) -> str:
        if self.kind == "status":
            text = self.message.replace("\n", " ")
            return f"{self.code}: {text[:110]}{'…' if len(text) > 110 else ''}"
        if self.kind == "ok":
            return f"OK ({len(self.payloads)} item(s))"
        return {"closed": "connection closed", "timeout": "no answer (timeout)"}.get(self.kind, self.kind)


def connect(address: str, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(address_pair(address), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_exactly(sock: socket.socket, count: int) -> Optional[bytes]:
    """``count`` bytes, or None when the peer closed (or reset) first."""
    chunks, got = [], 0
    while got < count:
        try:
            chunk = sock.recv(count - got)
        except (ConnectionResetError, BrokenPipeError):
            return None
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_envelope(sock: socket.socket) -> Optional["envelope_pb2.Envelope"]:
    head = read_exactly(sock, 4)
    if head is None:
        return None
    (length,) = HEADER.unpack(head)
    body = read_exactly(sock, length)
    if body is None:
        return None
    envelope = Envelope()
    envelope.ParseFromString(body)
    return envelope


def answer_of(sock: socket.socket, request_id: Optional[int] = 1, timeout: float = 15.0) -> Outcome:
    """Reads frames until request ``request_id`` (None: any) ends (RESPONSE or END_OF_STREAM)."""
    sock.settimeout(timeout)
    items: List[bytes] = []
    try:
        while True:
            envelope = read_envelope(sock)
            if envelope is None:
                return Outcome("closed", payloads=items)
            if envelope.kind == PING:
                sock.sendall(frame(Envelope(request_id=envelope.request_id, kind=PONG)))
                continue
            if (request_id is not None and envelope.request_id != request_id) or envelope.kind == PONG:
                continue
            if envelope.kind == STREAM_ITEM:
                items.append(envelope.payload)
                continue
            if envelope.WhichOneof("body") == "status" and envelope.status.code != 0:
                code = envelope_pb2.StatusCode.Name(envelope.status.code).replace("STATUS_CODE_", "")
                return Outcome("status", code, envelope.status.message, items)
            if envelope.kind == RESPONSE and envelope.WhichOneof("body") == "payload":
                items.append(envelope.payload)
            return Outcome("ok", payloads=items)
    except socket.timeout:
        return Outcome("timeout", payloads=items)
    except OSError:
        return Outcome("closed", payloads=items)


def call(address: str, method: str, payload: bytes = b"", token: str = "", *, items: Optional[Sequence[bytes]] = None,
         timeout: float = 15.0, envelope: Optional["envelope_pb2.Envelope"] = None) -> Outcome:
    """One call on a new connection: a REQUEST (``envelope`` when given, as is), then for a
    client stream (``items`` not None) its STREAM_ITEMs and END_OF_STREAM; its outcome."""
    try:
        sock = connect(address, timeout=timeout)
    except OSError as error:
        return Outcome("refused", message=str(error))
    try:
        try:
            sock.sendall(frame(envelope if envelope is not None else request(method, payload, token)))
            if items is not None:
                for item in items:
                    sock.sendall(frame(Envelope(request_id=1, kind=STREAM_ITEM, payload=item)))
                sock.sendall(frame(Envelope(request_id=1, kind=END_OF_STREAM)))
        except OSError:
            pass  # the server answered early and closed: read what it said
        return answer_of(sock, 1, timeout)
    finally:
        sock.close()


def closed_within(sock: socket.socket, timeout: float) -> Optional[float]:
    """Seconds until the peer closed (EOF or reset), or None if still open after ``timeout``.
    Bytes the peer sends meanwhile are read and dropped."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            continue
        try:
            data = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError, OSError):
            return time.monotonic() - start
        if not data:
            return time.monotonic() - start


# MARK: Processes


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().split(") ", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> List[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        return [part.decode(errors="replace") for part in handle.read().split(b"\0") if part]


def flag_value(pid: int, flag: str) -> Optional[str]:
    words = cmdline(pid)
    for k, word in enumerate(words):
        if word == flag and k + 1 < len(words):
            return words[k + 1]
        if word.startswith(flag + "="):
            return word.split("=", 1)[1]
    return None


class Registry:
    """Records each pid the suite starts in a file run.sh reads to kill leftovers."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.Lock()

    def add(self, pid: int) -> None:
        with self.lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(f"{pid}\n")


def stop_pid(pid: int, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; only this pid."""
    if not alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not wait_until(lambda: not alive(pid), grace):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        wait_until(lambda: not alive(pid), 5)


@dataclass
class Service:
    """A standalone service the suite started: its process, addresses and standard error."""

    name: str
    process: subprocess.Popen
    rpc: str
    http: str
    stderr_path: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        stop_pid(self.process.pid)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.process.stdout is not None:
            self.process.stdout.close()


class StartFailure(Exception):
    """A service that exited (or stayed silent) before its ready line."""

    def __init__(self, name: str, returncode: Optional[int], stderr: str) -> None:
        super().__init__(f"{name} did not start (exit {returncode}): {stderr.strip()[-400:]}")
        self.returncode = returncode
        self.stderr = stderr


def start_service(name: str, argv: Sequence[str], scratch: str, registry: Registry, timeout: float = 60.0) -> Service:
    """Starts ``argv`` and waits (up to ``timeout`` seconds) for its JSON ready line on
    standard output.

    Raises:
        StartFailure: the process exited first (a flag it does not know: exit 64), or no
            ready line came in time (it is killed).
    """
    stderr_path = os.path.join(scratch, f"{name}.stderr")
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    registry.add(process.pid)
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            stop_pid(process.pid)
            raise StartFailure(name, None, "no ready line within %.0f s" % timeout)
        readable, _, _ = select.select([process.stdout], [], [], min(left, 0.5))
        if readable:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            line += chunk
        elif process.poll() is not None:
            break
    if not line.strip():
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            stop_pid(process.pid)
        with open(stderr_path, encoding="utf-8", errors="replace") as handle:
            raise StartFailure(name, process.returncode, handle.read())
    ready = json.loads(line.decode().splitlines()[0])
    return Service(name, process, ready["rpc"], ready["http"], stderr_path)


def http_get(address: str, path: str, timeout: float = 5.0) -> Tuple[int, bytes]:
    """A plain HTTP/1.0 GET: (status, body)."""
    with socket.create_connection(address_pair(address), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n".encode())
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


def files_named(roots: Iterable[Tuple[str, int]], marker: str) -> List[str]:
    """Paths under each (root, depth) whose name contains ``marker`` (symlinks not followed)."""
    found = []
    for root, depth in roots:
        if not os.path.isdir(root):
            continue
        base = root.rstrip("/").count("/")
        for folder, dirs, files in os.walk(root, onerror=lambda _: None):
            if folder.rstrip("/").count("/") - base >= depth:
                dirs[:] = []
            for entry in dirs + files:
                if marker in entry:
                    found.append(os.path.join(folder, entry))
    return found
