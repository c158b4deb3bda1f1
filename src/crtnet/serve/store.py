"""Where analyses live: one SQLite file and one folder per analysis under ``--data``.

Job state (status, error line, timing, versions) is the shared ``crtnet.jobs.Manifest``
table, keyed by the stored input's path; this module adds the ``analyses`` table with what
only the server knows (id, batch, the uploader's file name for display, creation time).
Every name on disk is chosen here, never taken from the upload.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from crtnet.jobs import Manifest

_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    id TEXT PRIMARY KEY,
    batch TEXT,
    name TEXT NOT NULL,
    input TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS analyses_created ON analyses(created);
"""


class Store:
    """Analyses on disk; use from one thread (the server's event loop)."""

    def __init__(self, data: str | Path):
        self.root = Path(data).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "analyses").mkdir(exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)
        db_path = self.root / "crtnet.sqlite"
        self.manifest = Manifest(db_path)
        self._db = sqlite3.connect(str(db_path), timeout=60, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()
        self.manifest.close()

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def folder(self, aid: str) -> Path:
        return self.root / "analyses" / aid

    def create(self, name: str, input_name: str, batch: str | None = None) -> tuple[str, Path]:
        """A new analysis with its folder; returns ``(id, path the input must be moved to)``."""
        aid = uuid.uuid4().hex
        d = self.folder(aid)
        (d / "input").mkdir(parents=True)
        (d / "out").mkdir()
        dest = d / "input" / input_name
        self._db.execute(
            "INSERT INTO analyses(id, batch, name, input, created) VALUES (?,?,?,?,?)",
            (aid, batch, name[:200], str(dest), time.time()),
        )
        self.manifest.add([str(dest)], "serve")
        return aid, dest

    def get(self, aid: str) -> dict[str, Any] | None:
        if not _is_id(aid):
            return None
        row = self._db.execute("SELECT * FROM analyses WHERE id=?", (aid,)).fetchone()
        return None if row is None else self._full(dict(row))

    def list(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT * FROM analyses ORDER BY created DESC LIMIT ?", (int(limit),)
        ).fetchall()
        return [self._summary(self._full(dict(r))) for r in rows]

    def delete(self, aid: str) -> bool:
        a = self.get(aid)
        if a is None:
            return False
        self._db.execute("DELETE FROM analyses WHERE id=?", (aid,))
        self.manifest.remove([a["input_path"]])
        shutil.rmtree(self.folder(aid), ignore_errors=True)
        return True

    def purge(self, older_than_days: float) -> int:
        """Retention: delete analyses created more than N days ago; returns how many."""
        cutoff = time.time() - older_than_days * 86400
        ids = [
            r[0] for r in self._db.execute("SELECT id FROM analyses WHERE created < ?", (cutoff,))
        ]
        return sum(self.delete(i) for i in ids)

    def result(self, aid: str) -> dict[str, Any] | None:
        p = self.folder(aid) / "out" / "result.json"
        return json.loads(p.read_text()) if p.exists() else None

    def _full(self, row: dict[str, Any]) -> dict[str, Any]:
        job = self.manifest.get(row["input"]) or {}
        return {
            "id": row["id"],
            "batch": row["batch"],
            "name": row["name"],
            "created": row["created"],
            "status": job.get("status", "pending"),
            "error": job.get("error"),
            "seconds": job.get("seconds"),
            "input_path": row["input"],
        }

    @staticmethod
    def _summary(a: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in a.items() if k != "input_path"}


def _is_id(aid: str) -> bool:
    return len(aid) == 32 and all(c in "0123456789abcdef" for c in aid)
