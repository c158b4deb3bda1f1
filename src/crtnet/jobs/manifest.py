"""SQLite bookkeeping: one row per input, so a run can be resumed and audited.

Why SQLite: pandas reads it (``pd.read_sql("select * from inputs", sqlite3.connect(p))``),
many processes can share it (WAL), and it needs no server. The ``input`` column is the
primary key, so an input has exactly one row; ``record`` never replaces an ``ok`` row with a
failure, so a task the engine runs twice still leaves one success.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crtnet.jobs.kinds import JobResult

STATUSES = ("pending", "running", "ok", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inputs (
    input TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    outputs TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    seconds REAL,
    started REAL,
    finished REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    crtnet_version TEXT,
    digitizer_version TEXT,
    model TEXT,
    worker TEXT
);
CREATE INDEX IF NOT EXISTS inputs_status ON inputs(status);
"""


class Manifest:
    """One SQLite file; safe to open from several processes at once."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, inputs: Iterable[str], kind: str, *, batch: int = 10_000) -> int:
        """Register inputs as pending (already known ones are left alone); returns new rows."""
        before = self._count()
        buf: list[tuple[str, str]] = []
        for item in inputs:
            buf.append((str(item), kind))
            if len(buf) >= batch:
                self._insert(buf)
                buf = []
        if buf:
            self._insert(buf)
        return self._count() - before

    def _insert(self, rows: list[tuple[str, str]]) -> None:
        with self._tx():
            self._db.executemany("INSERT OR IGNORE INTO inputs(input, kind) VALUES (?, ?)", rows)

    def _count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM inputs").fetchone()[0]

    def todo(self, *, retry_failed: bool = False, limit: int | None = None) -> list[str]:
        """Inputs still to do: pending and interrupted (running) ones, and failed if asked."""
        states = ["pending", "running"] + (["failed"] if retry_failed else [])
        marks = ",".join("?" * len(states))
        q = f"SELECT input FROM inputs WHERE status IN ({marks}) ORDER BY rowid"
        if limit is not None:
            q += f" LIMIT {int(limit)}"
        return [r[0] for r in self._db.execute(q, states)]

    def mark_running(self, inputs: Iterable[str], worker: str | None = None) -> None:
        now = time.time()
        with self._tx():
            self._db.executemany(
                "UPDATE inputs SET status='running', started=?, worker=?, attempts=attempts+1 "
                "WHERE input=? AND status != 'ok'",
                [(now, worker, str(i)) for i in inputs],
            )

    def record(self, results: JobResult | Iterable[JobResult], worker: str | None = None) -> None:
        """Store outcomes; a row that is already ``ok`` keeps its first success."""
        if isinstance(results, JobResult):
            results = [results]
        now = time.time()
        rows = [
            (
                r.input,
                r.kind,
                r.status,
                json.dumps(r.outputs),
                r.error,
                r.seconds,
                now,
                r.versions.get("crtnet"),
                r.versions.get("digitizer"),
                r.versions.get("model"),
                worker,
            )
            for r in results
        ]
        with self._tx():
            self._db.executemany(
                """INSERT INTO inputs(input, kind, status, outputs, error, seconds, finished,
                       crtnet_version, digitizer_version, model, worker, attempts)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,1)
                   ON CONFLICT(input) DO UPDATE SET
                       kind=excluded.kind, status=excluded.status, outputs=excluded.outputs,
                       error=excluded.error, seconds=excluded.seconds,
                       finished=excluded.finished, crtnet_version=excluded.crtnet_version,
                       digitizer_version=excluded.digitizer_version, model=excluded.model,
                       worker=excluded.worker
                   WHERE inputs.status != 'ok'""",
                rows,
            )

    def remove(self, inputs: Iterable[str]) -> int:
        """Forget inputs (the server deletes analyses on request); returns rows removed."""
        with self._tx():
            cur = self._db.executemany(
                "DELETE FROM inputs WHERE input=?", [(str(i),) for i in inputs]
            )
        return cur.rowcount

    def get(self, input: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM inputs WHERE input=?", (str(input),)).fetchone()
        return None if row is None else _row(row)

    def rows(self, status: str | None = None) -> Iterator[dict[str, Any]]:
        if status is None:
            cur = self._db.execute("SELECT * FROM inputs ORDER BY rowid")
        else:
            cur = self._db.execute("SELECT * FROM inputs WHERE status=? ORDER BY rowid", (status,))
        for row in cur:
            yield _row(row)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for status, n in self._db.execute("SELECT status, COUNT(*) FROM inputs GROUP BY status"):
            out[status] = n
        return out

    def _tx(self):
        return _Tx(self._db)


class _Tx:
    """BEGIN IMMEDIATE ... COMMIT, so concurrent writers queue instead of failing."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, et, *_) -> None:
        self.db.execute("COMMIT" if et is None else "ROLLBACK")


def _row(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    d["outputs"] = json.loads(d["outputs"] or "[]")
    return d
