"""The one error type of the client: :class:`AnantError`, carrying a gateway status code."""

from __future__ import annotations

from typing import Mapping, Optional

from ._proto.anant.v1 import envelope_pb2

__all__ = ["AnantError", "STATUS_CODES"]

_PREFIX = "STATUS_CODE_"

#: Every status code name ("NOT_FOUND", "UNAUTHENTICATED", ...) by its gRPC number.
STATUS_CODES: Mapping[int, str] = {
    number: name[len(_PREFIX):] for name, number in envelope_pb2.StatusCode.items()
}
_NUMBERS = {name: number for number, name in STATUS_CODES.items()}


class AnantError(Exception):
    """A failed call: the gateway's status (or the client's own, for the connection).

    Attributes:
        code: the status code's name without its prefix, e.g. ``"NOT_FOUND"``,
            ``"UNAUTHENTICATED"``, ``"PERMISSION_DENIED"``, ``"DEADLINE_EXCEEDED"``.
        message: what happened, in words a user can act on.
        retryable: whether the same request may succeed if sent again.
        details: extra key/value information the gateway attached (a path, a limit).
    """

    def __init__(self, code: str, message: str, retryable: bool = False,
                 details: Optional[Mapping[str, str]] = None) -> None:
        if code not in _NUMBERS:
            raise ValueError(f"unknown status code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
        self.details = dict(details or {})

    @property
    def number(self) -> int:
        """The code's gRPC number (5 for ``NOT_FOUND``)."""
        return _NUMBERS[self.code]

    @classmethod
    def from_status(cls, status: "envelope_pb2.Status") -> "AnantError":
        """The error a wire ``Status`` describes (an unknown code number reads as UNKNOWN)."""
        code = STATUS_CODES.get(status.code, "UNKNOWN")
        details = {d.key: d.value for d in status.details}
        return cls(code, status.message or code.lower().replace("_", " "), status.retryable, details)

    def __repr__(self) -> str:
        return f"AnantError(code={self.code!r}, message={self.message!r}, retryable={self.retryable})"
