"""Anant's wire (docs/wire.md): frames of a 4-byte big-endian length and one ``Envelope``.

A :class:`Connection` owns one TCP socket and a reader thread that decodes frames and hands
each to the call it belongs to, so calls are multiplexed by request id and answered in any
order (several threads may call at once; a streamed answer may be read while other calls
run). The reader answers the peer's PINGs. A frame whose length is 0 or above the maximum,
a truncated frame, or bytes that are not an Envelope close the connection: every call
pending on it fails with ``UNAVAILABLE`` naming the cause, and the next call reconnects.
"""

from __future__ import annotations

import collections
import queue
import socket
import ssl
import struct
import threading
import time
from typing import Dict, Iterator, Optional, Tuple

from google.protobuf.message import DecodeError

from ._proto.anant.v1 import envelope_pb2
from .errors import AnantError

__all__ = ["Connection", "Call", "parse_address", "encode_frame", "DEFAULT_MAX_FRAME_BYTES"]

Envelope = envelope_pb2.Envelope
REQUEST = envelope_pb2.ENVELOPE_KIND_REQUEST
RESPONSE = envelope_pb2.ENVELOPE_KIND_RESPONSE
STREAM_ITEM = envelope_pb2.ENVELOPE_KIND_STREAM_ITEM
END_OF_STREAM = envelope_pb2.ENVELOPE_KIND_END_OF_STREAM
CANCEL = envelope_pb2.ENVELOPE_KIND_CANCEL
PING = envelope_pb2.ENVELOPE_KIND_PING
PONG = envelope_pb2.ENVELOPE_KIND_PONG

#: The largest frame this client accepts unless told otherwise (as the Swift client).
DEFAULT_MAX_FRAME_BYTES = 256 << 20
_HEADER = struct.Struct(">I")
#: Frames a call may have waiting before the reader stops reading the socket (backpressure).
_QUEUE_FRAMES = 16
#: Seconds the reader may go on reading after a send failed, before the connection is closed.
_SEND_FAILURE_GRACE = 2.0


def parse_address(address: str) -> Tuple[str, int]:
    """``"HOST:PORT"`` (``"[::1]:PORT"`` for IPv6) as a (host, port) pair.

    Raises:
        AnantError: ``INVALID_ARGUMENT`` when it is not HOST:PORT.
    """
    host, sep, port = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise AnantError("INVALID_ARGUMENT", f"the address {address!r} is not HOST:PORT")
    return host, int(port)


def encode_frame(envelope: "envelope_pb2.Envelope") -> bytes:
    """One frame: the length of the serialized envelope, big-endian, then its bytes."""
    body = envelope.SerializeToString()
    return _HEADER.pack(len(body)) + body


class _Inbox:
    """One call's frames, in order: at most ``limit`` waiting for the reader to put more
    (backpressure), then the connection's close, raised once the frames before it are read."""

    def __init__(self, limit: int = _QUEUE_FRAMES) -> None:
        self._frames: "collections.deque[envelope_pb2.Envelope]" = collections.deque()
        self._limit = limit
        self._changed = threading.Condition(threading.Lock())
        self._error: Optional[AnantError] = None  # the connection closed
        self._dropped = False  # the call was forgotten

    def put(self, frame: "envelope_pb2.Envelope") -> None:
        """Adds a frame, waiting while the inbox is full; dropped once closed or forgotten."""
        with self._changed:
            while len(self._frames) >= self._limit and self._error is None and not self._dropped:
                self._changed.wait()
            if self._error is None and not self._dropped:
                self._frames.append(frame)
                self._changed.notify_all()

    def get(self, block: bool = True, timeout: Optional[float] = None) -> "envelope_pb2.Envelope":
        """The next frame.

        Raises:
            queue.Empty: none came in time (or none is there when ``block`` is false).
            AnantError: the connection closed and every frame before the close was read.
        """
        end = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while not self._frames:
                if self._error is not None:
                    raise self._error
                left = None if end is None else end - time.monotonic()
                if not block or (left is not None and left <= 0):
                    raise queue.Empty
                self._changed.wait(left)
            frame = self._frames.popleft()
            self._changed.notify_all()
            return frame

    def close(self, error: AnantError) -> None:
        """The connection closed: frames already here are still read, then ``error``."""
        with self._changed:
            if self._error is None:
                self._error = error
            self._changed.notify_all()

    def drop(self) -> None:
        """The call is forgotten: its frames, and any still arriving, are discarded."""
        with self._changed:
            self._dropped = True
            self._frames.clear()
            self._changed.notify_all()


class Connection:
    """One socket to a gateway, its calls multiplexed by request id.

    Args:
        address: ``"HOST:PORT"``.
        token: the bearer token sent on every request.
        max_frame_bytes: the largest frame accepted; a larger one closes the connection.
        connect_timeout: seconds to wait for the TCP (and TLS) handshake.
        tls: an ``ssl.SSLContext`` to wrap the socket with, for a gateway with certificates.
    """

    def __init__(self, address: str, token: str, *, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
                 connect_timeout: float = 10.0, tls: Optional[ssl.SSLContext] = None) -> None:
        host, port = parse_address(address)
        self.address = address
        self.token = token
        self.max_frame_bytes = max_frame_bytes
        try:
            sock = socket.create_connection((host, port), timeout=connect_timeout)
            if tls is not None:
                sock = tls.wrap_socket(sock, server_hostname=host)
        except OSError as error:
            raise AnantError("UNAVAILABLE", f"cannot connect to the gateway at {address}: {error}", retryable=True) from None
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket = sock
        self._send_lock = threading.Lock()
        self._lock = threading.Lock()
        self._calls: Dict[int, _Inbox] = {}
        self._next_id = 0
        self._closed: Optional[AnantError] = None
        self._send_failed: Optional[AnantError] = None
        self._reader = threading.Thread(target=self._read_loop, name=f"anant-reader-{address}", daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        """Whether the connection still takes calls."""
        return self._closed is None and self._send_failed is None

    # MARK: Calls

    def start(self, method: str, payload: bytes, deadline: Optional[float]) -> "Call":
        """Sends a REQUEST for ``method`` and returns the call that receives its answer.

        Args:
            method: the full method name, ``"anant.v1.Gateway/Run"``.
            payload: the serialized request message (the first one of a client stream).
            deadline: the absolute deadline (``time.time()`` seconds), or None.
        """
        with self._lock:
            if self._closed is not None:
                raise self._closed
            if self._send_failed is not None:
                raise self._send_failed
            self._next_id += 1
            request_id = self._next_id
            frames = _Inbox()
            self._calls[request_id] = frames
        envelope = Envelope(request_id=request_id, method=method, kind=REQUEST, auth_token=self.token, payload=payload)
        if deadline is not None:
            envelope.deadline_unix_nanos = max(1, int(deadline * 1e9))
        call = Call(self, request_id, method, frames, deadline)
        self.send(envelope, request_id)
        return call

    def send(self, envelope: "envelope_pb2.Envelope", request_id: Optional[int] = None) -> None:
        """Writes one frame.

        A failure raises ``UNAVAILABLE`` (retryable) and stops the connection taking calls;
        the reader goes on delivering what the gateway sent before the connection broke (its
        answers), and the connection closes when the socket ends, or after
        ``_SEND_FAILURE_GRACE`` seconds.
        """
        frame = encode_frame(envelope)
        with self._send_lock:
            if self._closed is not None:
                raise self._closed
            if self._send_failed is not None:
                raise self._send_failed
            try:
                self._socket.sendall(frame)
                return
            except OSError as error:
                if self._closed is not None:  # closed meanwhile (by the reader, or the client)
                    raise self._closed from None
                failure = AnantError("UNAVAILABLE", f"the connection to {self.address} failed while sending: {error}",
                                     retryable=True)
                self._send_failed = failure
        timer = threading.Timer(_SEND_FAILURE_GRACE, self._close, args=(failure,))
        timer.daemon = True
        timer.start()
        raise failure

    def forget(self, request_id: int, cancel: bool) -> None:
        """Drops a call (frames still arriving for it are skipped); sends CANCEL when asked."""
        with self._lock:
            frames = self._calls.pop(request_id, None)
        if frames is not None:
            frames.drop()
        if cancel and self.alive:
            try:
                self.send(Envelope(request_id=request_id, kind=CANCEL))
            except AnantError:
                pass

    def close(self) -> None:
        """Closes the socket; calls pending on it fail with ``UNAVAILABLE``."""
        self._close(AnantError("UNAVAILABLE", "the client closed the connection", retryable=False))

    def _close(self, error: AnantError) -> None:
        with self._lock:
            if self._closed is not None:
                return
            self._closed = error
            calls = list(self._calls.values())
            self._calls.clear()
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()
        for frames in calls:
            frames.close(error)  # after the frames already delivered, which their calls still read

    # MARK: Reading

    def _read_exactly(self, count: int, what: str) -> bytes:
        chunks, got = [], 0
        while got < count:
            try:
                chunk = self._socket.recv(min(count - got, 1 << 20))
            except OSError as error:
                if self._closed is not None:
                    raise self._closed from None
                raise AnantError("UNAVAILABLE", f"the connection to {self.address} failed: {error}", retryable=True) from None
            if not chunk:
                if got == 0 and what == "header":
                    raise AnantError("UNAVAILABLE", f"the gateway at {self.address} closed the connection", retryable=True)
                raise AnantError("UNAVAILABLE", f"the connection to {self.address} closed in the middle of a frame's {what} "
                                                f"({got} of {count} bytes arrived): the frame is truncated", retryable=True)
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def read_frame(self) -> "envelope_pb2.Envelope":
        """Reads one frame, its length checked before its body is read.

        Raises:
            AnantError: ``UNAVAILABLE`` for a closed connection, a length of 0 or above
                ``max_frame_bytes``, a truncated frame or bytes that are not an Envelope.
        """
        (length,) = _HEADER.unpack(self._read_exactly(4, "header"))
        if length == 0:
            raise AnantError("UNAVAILABLE", f"the gateway at {self.address} sent a frame of length 0, which no Envelope has")
        if length > self.max_frame_bytes:
            raise AnantError("UNAVAILABLE", f"the gateway at {self.address} sent a frame of {length} bytes, above this client's "
                                            f"maximum of {self.max_frame_bytes} (max_frame_bytes)")
        body = self._read_exactly(length, "body")
        envelope = Envelope()
        try:
            envelope.ParseFromString(body)
        except DecodeError as error:
            raise AnantError("UNAVAILABLE", f"the gateway at {self.address} sent a frame that is not an Envelope: {error}") from None
        return envelope

    def _read_loop(self) -> None:
        try:
            while True:
                envelope = self.read_frame()
                if envelope.kind == PING:
                    try:
                        self.send(Envelope(request_id=envelope.request_id, kind=PONG))
                    except AnantError:
                        if self._closed is not None:
                            raise
                    continue  # a failed send: read on, what arrived is still delivered
                if envelope.kind == PONG:
                    continue
                self._deliver(envelope)
        except AnantError as error:
            self._close(error)
        except Exception as error:  # a bug here must not leave calls waiting forever
            self._close(AnantError("INTERNAL", f"the client's reader failed: {error!r}"))

    def _deliver(self, envelope: "envelope_pb2.Envelope") -> None:
        with self._lock:
            frames = self._calls.get(envelope.request_id)
        if frames is not None:  # else a cancelled or finished call: dropped
            frames.put(envelope)  # waits while the caller is slow: the socket is not read meanwhile


class Call:
    """One call in flight: its frames, in the order they arrive, until its end."""

    def __init__(self, connection: Connection, request_id: int, method: str, frames: _Inbox,
                 deadline: Optional[float]) -> None:
        self.connection = connection
        self.request_id = request_id
        self.method = method
        self.frames = frames
        self.deadline = deadline
        self.done = False

    def next_frame(self, block: bool = True) -> Optional["envelope_pb2.Envelope"]:
        """The next frame of the call (None when ``block`` is false and none is there).

        Raises:
            AnantError: ``DEADLINE_EXCEEDED`` when the deadline passes (CANCEL is sent),
                ``UNAVAILABLE`` when the connection closed before the call's next frame
                arrived (frames that arrived before the close are returned first).
        """
        try:
            if not block:
                return self.frames.get(block=False)
            if self.deadline is None:
                return self.frames.get()
            return self.frames.get(timeout=max(0.0, self.deadline - time.time()))
        except queue.Empty:
            if not block:
                return None
            self.cancel()
            raise AnantError("DEADLINE_EXCEEDED", f"{self.method.rsplit('/', 1)[-1]} did not finish before its deadline") from None
        except AnantError:  # the connection closed before the answer's end
            self.done = True
            raise

    def unary(self) -> bytes:
        """The payload of a unary answer (RESPONSE)."""
        try:
            envelope = self.next_frame()
            assert envelope is not None
            self.done = True
            if envelope.kind != RESPONSE:
                raise AnantError("INTERNAL", f"the gateway answered {self.method} with a frame of kind {envelope.kind}, not RESPONSE")
            if envelope.WhichOneof("body") == "status":
                if envelope.status.code != 0:
                    raise AnantError.from_status(envelope.status)
                return b""
            return envelope.payload
        finally:
            self.finish()

    def stream(self) -> Iterator[bytes]:
        """The payloads of a server-streamed answer, until an OK END_OF_STREAM.

        Leaving the iteration early (``close()`` on the generator) cancels the call.
        """
        try:
            while True:
                envelope = self.next_frame()
                assert envelope is not None
                if envelope.kind == STREAM_ITEM:
                    yield envelope.payload
                elif envelope.kind in (END_OF_STREAM, RESPONSE):
                    self.done = True
                    if envelope.WhichOneof("body") == "status" and envelope.status.code != 0:
                        raise AnantError.from_status(envelope.status)
                    if envelope.kind == RESPONSE:
                        raise AnantError("INTERNAL", f"the gateway answered the stream {self.method} with a unary RESPONSE")
                    return
                else:
                    raise AnantError("INTERNAL", f"the gateway sent a frame of kind {envelope.kind} in the stream of {self.method}")
        finally:
            self.finish()

    def send_item(self, payload: bytes) -> None:
        """Sends one STREAM_ITEM of a client-streamed request."""
        self.connection.send(Envelope(request_id=self.request_id, kind=STREAM_ITEM, payload=payload))

    def end_stream(self) -> None:
        """Ends a client-streamed request (END_OF_STREAM with no status: OK)."""
        self.connection.send(Envelope(request_id=self.request_id, kind=END_OF_STREAM))

    def cancel(self) -> None:
        """Gives up on the call: CANCEL goes to the gateway, later frames are dropped."""
        if not self.done:
            self.done = True
            self.connection.forget(self.request_id, cancel=True)

    def finish(self) -> None:
        """Forgets the call: cancels it when its answer did not end."""
        if not self.done:
            self.cancel()
        else:
            self.connection.forget(self.request_id, cancel=False)
