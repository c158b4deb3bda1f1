"""User-facing errors.

A ``CrtnetError`` is a problem with the user's input (a file, a flag, a dataset root),
not a bug. The CLI prints it as one line naming the file and exits non-zero, without a
traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class CrtnetError(Exception):
    """An input problem the user can fix; ``str()`` is the one line the CLI prints."""

    def __init__(self, problem: str, path: str | Path | None = None):
        self.problem = problem
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {problem}" if self.path else problem)
