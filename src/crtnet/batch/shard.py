"""Where an input's outputs go in an archive: ``OUT/ab/cd/NAME-hash8.*``.

Why: a million outputs in one folder make every listing slow; 65,536 leaf folders hold
about 15 inputs each. The hash of the full input path keeps ``a/1.png`` and ``b/1.png``
apart, and the same input always lands in the same place (reruns find their outputs).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def shard_of(root: str | Path, input: str, *, sharded: bool = True) -> tuple[Path, str]:
    """``(folder, name)`` for one input's outputs; ``name`` is a safe WFDB record name."""
    from crtnet.io.wfdb_io import safe_record_name

    h = hashlib.sha1(input.encode("utf-8", "surrogateescape")).hexdigest()
    stem = safe_record_name(Path(input).stem)[:80]
    folder = Path(root) / h[:2] / h[2:4] if sharded else Path(root)
    return folder, f"{stem}-{h[:8]}"
