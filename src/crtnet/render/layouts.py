"""Page layouts by name: each is a list of rows, each row a list of leads side by side.

A row's leads share the page width in equal consecutive time windows, the way ECG carts
print a 3x4 page (column c shows the c-th quarter of the 10 s); a one-lead row is a rhythm
strip over the whole time span. ``#0``/``#1`` stand for the record's own first/second
lead (for MIT-BIH-style strips); ``-aVR`` is aVR inverted (Cabrera). Adding a layout is
one ``register_layout`` call.
"""

from __future__ import annotations

from dataclasses import dataclass

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
