"""A bounded pool of worker processes with a time limit per job.

Why not ``concurrent.futures.ProcessPoolExecutor``: it cannot kill one stuck job, and a
dead worker breaks the whole pool. Here each worker is a plain subprocess (so it also works
inside daemonic Dask workers and web servers); a job past its limit, or a worker that dies,
fails that one job and the worker is replaced.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, as_completed
from multiprocessing.connection import wait
from pathlib import Path

from crtnet.jobs.frames import read_frame, write_frame
from crtnet.jobs.kinds import Job, JobResult, versions


class _Worker:
    def __init__(self, config: dict):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "crtnet.jobs.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        write_frame(self.proc.stdin, config)
        self.ready = False  # until the worker says its imports are done
        self.job: Job | None = None
        self.future: Future | None = None
        self.started = 0.0

    def give(self, job: Job, fut: Future) -> None:
        self.job, self.future, self.started = job, fut, time.monotonic()
        write_frame(self.proc.stdin, job)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for fh in (self.proc.stdin, self.proc.stdout):
            try:
                fh.close()
            except OSError:
                pass


class JobPool:
    """``workers`` processes; ``submit`` returns a Future that always resolves to a JobResult."""

    def __init__(
        self,
        workers: int = 2,
        time_limit: float = 600.0,
        log_dir: str | Path | None = None,
        memory_limit_mb: int | None = None,
    ):
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.workers = workers
        self.time_limit = float(time_limit)
        self._config = {
            "log_dir": None if log_dir is None else str(log_dir),
            "memory_limit_mb": memory_limit_mb,
        }
        self._queue: collections.deque[tuple[Job, Future]] = collections.deque()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = os.pipe()
        self._closing = False
        self._pool: list[_Worker] = []
        self._thread = threading.Thread(target=self._loop, name="crtnet-jobpool", daemon=True)
        self._thread.start()

    # -- public -------------------------------------------------------------------------
    def submit(self, job: Job) -> Future:
        if self._closing:
            raise RuntimeError("JobPool is closed")
        fut: Future = Future()
        with self._lock:
            self._queue.append((job, fut))
        os.write(self._wake_w, b"x")
        return fut

    def map(self, jobs: Iterable[Job]) -> Iterator[JobResult]:
        """Results in completion order."""
        futs = [self.submit(j) for j in jobs]
        for f in as_completed(futs):
            yield f.result()

    def close(self) -> None:
        """Finish queued jobs, then stop the workers."""
        if not self._closing:
            self._closing = True
            os.write(self._wake_w, b"x")
        self._thread.join()

    def __enter__(self) -> JobPool:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:  # interrupted: drop what has not started
            with self._lock:
                for _, fut in self._queue:
                    fut.cancel()
                self._queue.clear()
        self.close()

    # -- dispatcher thread --------------------------------------------------------------
    def _loop(self) -> None:
        try:
            while True:
                self._assign()
                busy = [w for w in self._pool if w.job is not None]
                starting = [w for w in self._pool if not w.ready]
                with self._lock:
                    idle_and_empty = not self._queue
                if self._closing and idle_and_empty and not busy:
                    break
                timeout = None
                if busy:
                    now = time.monotonic()
                    timeout = max(0.0, min(w.started + self.time_limit - now for w in busy))
                watch = [self._wake_r] + [w.proc.stdout for w in busy + starting]
                ready = wait(watch, timeout)
                if self._wake_r in ready:
                    os.read(self._wake_r, 4096)
                for w in starting:
                    if w.proc.stdout in ready:
                        self._started(w)
                for w in busy:
                    self._check(w, w.proc.stdout in ready)
        finally:
            for w in self._pool:
                w.kill()
            self._pool.clear()

    def _assign(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    return
                idle = next((w for w in self._pool if w.ready and w.job is None), None)
                if idle is None:
                    starting = sum(not w.ready for w in self._pool)
                    if len(self._pool) < self.workers and starting < len(self._queue):
                        self._pool.append(_Worker(self._config))
                    return  # the job waits for a worker that is ready
                job, fut = self._queue.popleft()
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                idle.give(job, fut)
            except OSError:  # worker died between jobs
                self._replace(idle, "worker process died before starting")

    def _started(self, w: _Worker) -> None:
        try:
            hello = read_frame(w.proc.stdout)
        except Exception:  # noqa: BLE001
            hello = None
        if hello == "ready":
            w.ready = True
            return
        w.kill()  # it could not start: fail one queued job, so a broken setup cannot loop
        self._pool.remove(w)
        with self._lock:
            item = self._queue.popleft() if self._queue else None
        if item is not None and item[1].set_running_or_notify_cancel():
            job = item[0]
            item[1].set_result(
                JobResult(
                    input=job.input,
                    kind=job.kind,
                    status="failed",
                    error=f"{job.input}: worker process could not start "
                    f"(exit code {w.proc.returncode})",
                    versions=versions(job.kind),
                )
            )

    def _check(self, w: _Worker, readable: bool) -> None:
        if readable:
            try:
                res = read_frame(w.proc.stdout)
            except Exception:  # noqa: BLE001
                res = None
            if res is not None:
                w.future.set_result(res)
                w.job = w.future = None
                return
            w.proc.wait()
            self._replace(w, f"worker process died (exit code {w.proc.returncode})")
            return
        if w.proc.poll() is not None:
            self._replace(w, f"worker process died (exit code {w.proc.returncode})")
        elif time.monotonic() - w.started >= self.time_limit:
            self._replace(w, f"timed out after {self.time_limit:g} s")

    def _replace(self, w: _Worker, why: str) -> None:
        job, fut, started = w.job, w.future, w.started
        w.kill()
        self._pool.remove(w)
        if fut is not None and job is not None:
            fut.set_result(
                JobResult(
                    input=job.input,
                    kind=job.kind,
                    status="failed",
                    error=f"{job.input}: {why}",
                    seconds=round(time.monotonic() - started, 4),
                    versions=versions(job.kind),
                )
            )
