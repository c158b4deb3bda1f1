"""A job-pool worker process: ``python -m crtnet.jobs.worker`` reads jobs, writes results.

Frames on stdin/stdout are an 8-byte length and a pickle. The real stdout is moved out of
the way first, so a library that prints cannot corrupt the channel (prints go to stderr).
"""

from __future__ import annotations

import os
import sys

from crtnet.jobs.frames import read_frame, write_frame


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
    write_frame(chan_out, "ready")  # imports done: from now on, time counts against jobs
    while True:
        job = read_frame(chan_in)
        if job is None:  # parent closed the pipe: done
            return
        write_frame(chan_out, execute(job, log_dir))


if __name__ == "__main__":
    main()
