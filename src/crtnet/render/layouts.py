"""Page layouts by name: each is a list of rows, each row a list of leads side by side.

A row's leads share the page width in equal consecutive time windows, the way ECG carts
print a 3x4 page (column c shows the c-th quarter of the 10 s); a one-lead row is a rhythm
strip over the whole time span. ``#0``/``#1`` stand for the record's own first/second
lead (for MIT-BIH-style strips); ``-aVR`` is aVR inverted (Cabrera). Adding a layout is
one ``register_layout`` call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crtnet.errors import CrtnetError


@dataclass(frozen=True)
class Layout:
    name: str
    rows: tuple[tuple[str, ...], ...]
    description: str = ""

    @property
    def n_rows(self) -> int:
        return len(self.rows)


LAYOUTS: dict[str, Layout] = {}


def column_samples(c: int, n_cols: int, span_s: float, fs: float, n: int) -> tuple[int, int]:
    """Sample range [i0, i1) of column ``c`` of ``n_cols`` across ``span_s`` seconds.

    Columns split the span into equal consecutive time windows; the last column also shows
    the sample that sits on the right edge. ``render_page`` draws these samples and
    ``visible`` (training-time printout views) masks all others, so both agree exactly.
    """
    t0, t1 = c * span_s / n_cols, (c + 1) * span_s / n_cols
    i0 = int(np.ceil(t0 * fs - 1e-9))
    i1 = min(n, int(np.ceil(t1 * fs - 1e-9)))
    if c == n_cols - 1:
        i1 = min(n, int(np.floor(t1 * fs + 1e-9)) + 1)
    return i0, max(i0, i1)


def visible(name: str, leads: list[str], n: int, fs: float, span_s: float = 10.0) -> np.ndarray:
    """``bool [len(leads), n]``: which samples of each lead a page of this layout shows.

    A page starting at sample 0 and spanning ``span_s`` seconds (10 s on letter or A4 at
    25 mm/s); ``-aVR`` shows aVR; ``#k`` slots and leads the record lacks show nothing.
    """
    out = np.zeros((len(leads), n), bool)
    for row in get_layout(name).rows:
        for c, slot in enumerate(row):
            lead = slot.lstrip("-")
            if lead in leads:
                i0, i1 = column_samples(c, len(row), span_s, fs, n)
                out[leads.index(lead), i0:i1] = True
    return out


def register_layout(name: str, rows: list[list[str]], description: str = "") -> Layout:
    layout = Layout(name, tuple(tuple(r) for r in rows), description)
    LAYOUTS[name] = layout
    return layout


def get_layout(name: str) -> Layout:
    if name not in LAYOUTS:
        raise CrtnetError(f"unknown layout {name!r}; choose one of {', '.join(LAYOUTS)}")
    return LAYOUTS[name]


_STD_3X4 = [
    ["I", "aVR", "V1", "V4"],
    ["II", "aVL", "V2", "V5"],
    ["III", "aVF", "V3", "V6"],
]
_CABRERA_3X4 = [
    ["aVL", "II", "V1", "V4"],
    ["I", "aVF", "V2", "V5"],
    ["-aVR", "III", "V3", "V6"],
]

register_layout("3x4", _STD_3X4, "3 rows x 4 columns of 2.5 s, no rhythm strip")
register_layout("3x4+II", [*_STD_3X4, ["II"]], "3x4 plus a 10 s lead II rhythm strip")
register_layout("3x4+2", [*_STD_3X4, ["II"], ["V1"]], "3x4 plus II and V1 rhythm strips")
register_layout("3x4+3", [*_STD_3X4, ["II"], ["V1"], ["V5"]], "3x4 plus II, V1, V5 strips")
register_layout(
    "6x2",
    [["I", "V1"], ["II", "V2"], ["III", "V3"], ["aVR", "V4"], ["aVL", "V5"], ["aVF", "V6"]],
    "6 rows x 2 columns of 5 s",
)
register_layout(
    "6x2+II",
    [
        ["I", "V1"],
        ["II", "V2"],
        ["III", "V3"],
        ["aVR", "V4"],
        ["aVL", "V5"],
        ["aVF", "V6"],
        ["II"],
    ],
    "6x2 plus a 10 s lead II rhythm strip",
)
register_layout(
    "12x1",
    [
        [lead]
        for lead in ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]
    ],
    "12 full-length strips",
)
register_layout("cabrera-3x4", _CABRERA_3X4, "Cabrera order (aVL, I, -aVR, II, aVF, III)")
register_layout("cabrera-3x4+II", [*_CABRERA_3X4, ["II"]], "Cabrera 3x4 plus lead II strip")
register_layout("1x1", [["#0"]], "one strip of the record's first lead")
register_layout("2x1", [["#0"], ["#1"]], "two strips (e.g. MIT-BIH MLII and V1)")
