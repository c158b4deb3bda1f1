"""Length-prefixed pickle frames: how the job pool and its worker processes talk."""

from __future__ import annotations

import pickle
import struct
from typing import Any, BinaryIO

_HEAD = struct.Struct("<Q")


def write_frame(fh: BinaryIO, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEAD.pack(len(data)) + data)
    fh.flush()


def read_frame(fh: BinaryIO) -> Any:
    head = _read_exact(fh, _HEAD.size)
    if head is None:
        return None
    (n,) = _HEAD.unpack(head)
    body = _read_exact(fh, n)
    if body is None:
        raise EOFError("truncated frame")
    return pickle.loads(body)


def _read_exact(fh: BinaryIO, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = fh.read(n - len(buf))
        if not chunk:
            if buf:
                raise EOFError("truncated frame")
            return None
        buf += chunk
    return buf
