"""What a job is, the registry of job functions, and running one in the current process.

A job function takes ``(input_path, out_dir, **options)`` and returns
``(result_dict, output_paths)``; it raises ``CrtnetError`` for a bad input.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crtnet.errors import CrtnetError

JobFn = Callable[..., tuple[dict, list[str]]]
KINDS: dict[str, JobFn] = {}


def register(name: str) -> Callable[[JobFn], JobFn]:
    def deco(fn: JobFn) -> JobFn:
        KINDS[name] = fn
        return fn

    return deco


@dataclass
class Job:
    kind: str
    input: str
    out_dir: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class JobResult:
    input: str
    kind: str
    status: str  # "ok" or "failed"
    outputs: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: str | None = None
    seconds: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def versions(kind: str = "", result: dict | None = None) -> dict[str, str]:
    """What produced an output: crtnet, the digitizer and (for predict) the model."""
    from crtnet import __version__

    out = {"crtnet": __version__, "digitizer": digitizer_version()}
    model = (result or {}).get("model")
    if isinstance(model, dict) and model.get("name"):
        out["model"] = f"{model['name']} {model.get('version', '')}".strip()
    return out


def digitizer_version() -> str:
    """The digitizer's ``__version__`` when it has one, else crtnet's.

    Read from ``sys.modules`` only: importing the digitizer (cv2, torch) for a job that
    does not use it would cost seconds of the job's time limit.
    """
    import sys

    from crtnet import __version__

    return str(getattr(sys.modules.get("crtnet.digitize"), "__version__", __version__))


def failure_line(exc: BaseException, input: str, log_dir: str | Path | None = None) -> str:
    """One line for the user; tracebacks of bugs go to ``log_dir/errors.log``, never the line."""
    if isinstance(exc, CrtnetError):
        return str(exc) if exc.path else f"{input}: {exc.problem}"
    if isinstance(exc, MemoryError):
        return f"{input}: ran out of memory while processing this input"
    where = log_traceback(exc, input, log_dir)
    return f"{input}: internal error ({type(exc).__name__}; traceback in {where})"


def default_log_dir() -> Path:
    """``$CRTNET_LOG_DIR``, else ``~/.cache/crtnet/logs`` (where tracebacks of bugs go)."""
    env = os.environ.get("CRTNET_LOG_DIR")
    if env:
        return Path(env)
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "crtnet" / "logs"


def log_traceback(exc: BaseException, input: str, log_dir: str | Path | None) -> str:
    import tempfile

    d = Path(log_dir) if log_dir else default_log_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        d = Path(tempfile.gettempdir())
    log = d / "errors.log"
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    text = f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} pid {os.getpid()} {input}\n{tb}\n"
    with open(log, "a", encoding="utf-8") as fh:  # O_APPEND: whole writes from many workers
        fh.write(text)
    return str(log)


def resolve(kind: str) -> JobFn | None:
    """A registered name, or ``"package.module:function"`` (how other code adds kinds)."""
    if kind in KINDS:
        return KINDS[kind]
    if ":" in kind:
        import importlib

        mod, _, name = kind.partition(":")
        try:
            return getattr(importlib.import_module(mod), name)
        except (ImportError, AttributeError):
            return None
    return None


def execute(job: Job, log_dir: str | Path | None = None) -> JobResult:
    """Run ``job`` here; a failing input becomes a ``failed`` result, never an exception."""
    from crtnet.jobs import builtin  # noqa: F401  (registers the built-in kinds)

    t0 = time.perf_counter()
    try:
        fn = resolve(job.kind)
        if fn is None:
            raise CrtnetError(f"unknown job kind {job.kind!r} (choose {', '.join(sorted(KINDS))})")
        result, outputs = fn(job.input, job.out_dir, **job.options)
        status, error = "ok", None
    except Exception as exc:  # noqa: BLE001  (the point: one input never takes others down)
        result, outputs, status = None, [], "failed"
        error = failure_line(exc, job.input, log_dir)
    return JobResult(
        input=job.input,
        kind=job.kind,
        status=status,
        outputs=[str(p) for p in outputs],
        result=result,
        error=error,
        seconds=round(time.perf_counter() - t0, 4),
        versions=versions(job.kind, result),
    )
