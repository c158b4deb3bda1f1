"""The archive run: a manifest on the client, chunks of inputs as Dask tasks.

Why this shape:
- Only the client writes the SQLite manifest (SQLite on a shared network disk is not safe
  for many writers); workers return results, the client records them.
- A task is a chunk of inputs, not one input: a million futures would swamp the scheduler.
  At most ``4 x workers`` chunks are in flight, so memory on the client stays flat.
- Outputs are written atomically under names fixed by the input (``shard.py``), and a
  worker first checks whether an input's outputs are already complete. So when the engine
  reruns a task (a lost worker) or the client was killed before recording, nothing is
  written twice under two names and the manifest keeps one success row per input.
- Each Dask worker runs its jobs in one ``JobPool`` subprocess with a time limit, so a page
  that hangs the digitizer fails alone instead of stalling its chunk forever.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crtnet.batch.shard import shard_of
from crtnet.errors import CrtnetError
from crtnet.jobs import Job, JobResult, Manifest, versions


@dataclass
class ArchiveConfig:
    kind: str  # "digitize" or "predict"
    out: Path
    options: dict[str, Any] = field(default_factory=dict)
    manifest: Path | None = None  # default OUT/manifest.sqlite
    scheduler: str | None = None  # tcp://host:8786; None = a local cluster of processes
    workers: int = 2  # local cluster size
    chunk: int = 16  # inputs per task
    time_limit: float = 600.0  # seconds per input
    retry_failed: bool = False
    sharded: bool = True
    progress: bool = True

    def manifest_path(self) -> Path:
        return Path(self.manifest) if self.manifest else Path(self.out) / "manifest.sqlite"


def run_archive(inputs: Iterable[str], cfg: ArchiveConfig) -> dict[str, int]:
    """Register ``inputs``, process what is not done yet, return the manifest's counts."""
    if cfg.kind not in ("digitize", "predict"):
        raise CrtnetError(f"unknown batch kind {cfg.kind!r}")
    out = Path(cfg.out)
    if out.exists() and not out.is_dir():
        raise CrtnetError("--out must be a folder, but a file of that name exists", out)
    out.mkdir(parents=True, exist_ok=True)
    with Manifest(cfg.manifest_path()) as m:
        m.add(inputs, cfg.kind)
        todo = m.todo(retry_failed=cfg.retry_failed)
        if todo:
            _run(todo, cfg, m)
        return m.counts()


def _run(todo: list[str], cfg: ArchiveConfig, m: Manifest) -> None:
    from dask.distributed import as_completed
    from tqdm import tqdm

    client = _client(cfg)
    try:
        slots = 4 * max(1, len(client.scheduler_info().get("workers", {})) or cfg.workers)
        chunks = (todo[i : i + cfg.chunk] for i in range(0, len(todo), cfg.chunk))
        bar = tqdm(
            total=len(todo), unit="input", file=sys.stderr, disable=not cfg.progress, smoothing=0
        )
        log_dir = str(Path(cfg.out) / "logs")
        args = (cfg.kind, str(cfg.out), cfg.options, cfg.time_limit, cfg.sharded, log_dir)

        def submit(chunk):
            m.mark_running(chunk)
            fut = client.submit(process_chunk, chunk, *args, pure=False, retries=1)
            pending[fut] = chunk
            return fut

        pending: dict = {}
        ac = as_completed([])
        for chunk in chunks:
            ac.add(submit(chunk))
            if len(pending) >= slots:
                break
        for fut in ac:
            chunk = pending.pop(fut)
            try:
                results = [JobResult(**d) for d in fut.result()]
            except Exception as exc:  # noqa: BLE001  (e.g. KilledWorker: the chunk killed workers)
                results = [_lost(inp, cfg.kind, exc) for inp in chunk]
            m.record(results)
            bar.update(len(results))
            nxt = next(chunks, None)
            if nxt is not None:
                ac.add(submit(nxt))
        bar.close()
    finally:
        _close(client)


def _client(cfg: ArchiveConfig):
    from dask.distributed import Client, LocalCluster

    if cfg.scheduler:
        try:
            return Client(cfg.scheduler, timeout="30s")
        except OSError as exc:
            raise CrtnetError(f"cannot reach the Dask scheduler {cfg.scheduler}: {exc}") from None
    cluster = LocalCluster(
        n_workers=cfg.workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    return Client(cluster)


def _close(client) -> None:
    cluster = client.cluster if hasattr(client, "cluster") else None
    client.close()
    if cluster is not None:
        cluster.close()


def _lost(inp: str, kind: str, exc: BaseException) -> JobResult:
    return JobResult(
        input=inp,
        kind=kind,
        status="failed",
        error=f"{inp}: lost with its worker ({type(exc).__name__}); rerun with --retry-failed",
        versions=versions(kind),
    )


# -- on the worker ----------------------------------------------------------------------

_POOL = None


def _pool(time_limit: float, log_dir: str):
    """One JobPool subprocess per Dask worker, kept for the worker's life."""
    global _POOL
    from crtnet.jobs import JobPool

    if _POOL is None or _POOL.time_limit != time_limit:
        _POOL = JobPool(workers=1, time_limit=time_limit, log_dir=log_dir)
    return _POOL


def process_chunk(
    chunk: list[str],
    kind: str,
    out: str,
    options: dict,
    time_limit: float,
    sharded: bool,
    log_dir: str,
) -> list[dict]:
    """Runs on a Dask worker: each input once, or its finished outputs if already there."""
    results = []
    pool = None
    for inp in chunk:
        folder, name = shard_of(out, inp, sharded=sharded)
        done = _finished(kind, inp, folder, name, options)
        if done is not None:
            results.append(done.to_dict())
            continue
        pool = pool or _pool(time_limit, log_dir)
        job = Job(kind, inp, str(folder), {**options, "name": name})
        results.append(pool.submit(job).result().to_dict())
    return results


def _finished(kind: str, inp: str, folder: Path, name: str, options: dict) -> JobResult | None:
    """The result of an earlier run whose outputs are all in place (written atomically)."""
    t0 = time.perf_counter()
    if kind == "digitize":
        from crtnet.digitize.batch import outputs_of

        fmt, overlay = options.get("fmt", "wfdb"), options.get("overlay", False)
        outs = outputs_of(folder, Path(inp), fmt, overlay, name)
        side = folder / f"{name}.json"
    else:
        side = folder / f"{name}.json"
        outs = [side]
    if not all(os.path.exists(p) for p in outs):
        return None
    try:
        result = json.loads(side.read_text())
    except (OSError, ValueError):
        return None
    return JobResult(
        input=inp,
        kind=kind,
        status="ok",
        outputs=[str(p) for p in outs],
        result=result,
        seconds=round(time.perf_counter() - t0, 4),
        versions=versions(kind, result),
    )
