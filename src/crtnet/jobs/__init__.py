"""Run one input at a time, safely, and keep books on it (shared by the CLI batch, Dask, serve).

Public API (stable; only additive changes):

- ``Job(kind, input, out_dir=None, options={})``: one unit of work. ``kind`` names a
  registered job function (``"digitize"`` or ``"predict"``, see ``KINDS``).
- ``JobResult``: ``input, kind, status ("ok"|"failed"), outputs, result, error, seconds,
  versions``; ``to_dict()`` for JSON.
- ``execute(job, log_dir=None) -> JobResult``: run in *this* process; never raises for a
  failing input (a ``CrtnetError`` becomes its one error line, anything else becomes
  ``"<input>: internal error (...)"`` with the traceback appended to ``log_dir/errors.log``).
- ``JobPool(workers=2, time_limit=600, log_dir=None, memory_limit_mb=None)``: a bounded
  pool of worker *processes*; ``submit(job) -> concurrent.futures.Future[JobResult]``,
  ``map(jobs)`` yields results as they finish, ``close()``. A job past ``time_limit``
  seconds has its worker killed and comes back ``failed`` ("timed out after N s"); a worker
  that dies (crash, OOM kill) fails only its own job and is replaced.
- ``Manifest(path)``: SQLite bookkeeping, one row per input (status, outputs, error,
  timing, versions); ``add``, ``todo``, ``mark_running``, ``record``, ``get``, ``rows``,
  ``counts``. A success row is never overwritten by a later failure, so a rerun or a
  duplicated task leaves exactly one success per input.
"""

from crtnet.jobs.kinds import KINDS, Job, JobResult, execute, versions
from crtnet.jobs.manifest import Manifest
from crtnet.jobs.pool import JobPool

__all__ = ["KINDS", "Job", "JobPool", "JobResult", "Manifest", "execute", "versions"]
