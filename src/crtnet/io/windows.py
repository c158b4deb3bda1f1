"""Long WFDB records (a 24 h Holter) read window by window, never whole.

Why only WFDB: its header gives length and layout before any sample is read, and ``wfdb``
reads any sample range directly from the ``.dat``. CSV, npz and ``.mat`` must be parsed
whole, so they are capped instead (``limits.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from crtnet.io.limits import Limits
from crtnet.io.record import Record


def is_long(path: str | Path) -> bool:
    """A plain WFDB record whose samples x leads exceed the windowing threshold."""
    from crtnet.io import detect_format
    from crtnet.io.wfdb_io import read_header

    if detect_format(path) != "wfdb":
        return False
    h = read_header(path, whole=False)
    return bool(h.sig_len and h.n_sig) and h.n_sig * h.sig_len > Limits.current().long_samples


def iter_windows(
    path: str | Path, seconds: float | None = None, *, strict_leads: bool = True
) -> Iterator[tuple[int, Record]]:
    """``(first_sample, record_window)`` over the whole record, in order."""
    from crtnet.io.wfdb_io import read_header, read_wfdb

    h = read_header(path, whole=False)
    n = int(h.sig_len or 0)
    limits = Limits.current()
    win = int((seconds or limits.window_s) * float(h.fs))
    win = max(1, min(win, limits.max_samples // max(1, int(h.n_sig))))  # a window fits the cap
    for start in range(0, n, win):
        yield (
            start,
            read_wfdb(path, strict_leads=strict_leads, sampfrom=start, sampto=min(n, start + win)),
        )


def summary_windowed(path: str | Path, *, strict_leads: bool = True) -> dict[str, Any]:
    """``Record.summary()`` of a long record, computed window by window."""
    total = finite = 0
    lo, hi = np.inf, -np.inf
    first: Record | None = None
    for _, rec in iter_windows(path, strict_leads=strict_leads):
        first = first or rec
        ok = np.isfinite(rec.signal)
        total += ok.size
        finite += int(ok.sum())
        if ok.any():
            lo = min(lo, float(np.nanmin(rec.signal)))
            hi = max(hi, float(np.nanmax(rec.signal)))
    assert first is not None
    out = first.summary()
    n_samples = total // first.n_leads
    out.update(
        n_samples=n_samples,
        duration_s=round(n_samples / first.fs, 4),
        missing_fraction=round(1 - finite / total, 4) if total else 1.0,
        range_mv=[round(lo, 4), round(hi, 4)] if finite else [None, None],
        read_in_windows_s=Limits.current().window_s,
    )
    return out
