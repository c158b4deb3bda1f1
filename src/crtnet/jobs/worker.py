"""A job-pool worker process: ``python -m crtnet.jobs.worker`` reads jobs, writes results.

Frames on stdin/stdout are an 8-byte length and a pickle. The real stdout is moved out of
the way first, so a library that prints cannot corrupt the channel (prints go to stderr).
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
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


def _limit_memory(mb: int | None) -> None:
    if mb:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))


def main() -> None:
    chan_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints land on stderr
    sys.stdout = sys.stderr
    chan_in = os.fdopen(os.dup(0), "rb")
    from crtnet.jobs.kinds import execute

    config = read_frame(chan_in) or {}
    _limit_memory(config.get("memory_limit_mb"))
    log_dir = config.get("log_dir")
    while True:
        job = read_frame(chan_in)
        if job is None:  # parent closed the pipe: done
            return
        write_frame(chan_out, execute(job, log_dir))


if __name__ == "__main__":
    main()
