"""Random page styles, so a digitizer trained on our pages meets the variety of real carts.

Weights lean towards what printouts in the wild mostly show (3x4 with a lead II strip,
red/pink paper, 25 mm/s, 10 mm/mV) while keeping every option in play.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from crtnet.io.record import Record
from crtnet.render.page import RenderConfig

TWELVE = {
    "3x4+II": 8,
    "3x4": 3,
    "6x2": 2,
    "12x1": 2,
    "3x4+3": 2,
    "3x4+2": 1,
    "6x2+II": 1,
    "cabrera-3x4+II": 1,
}
FEW = {"2x1": 3, "1x1": 1}
GRIDS = {"red": 7, "pink": 4, "orange": 2, "green": 2, "blue": 2, "grey": 2, "none": 1}
AUGMENTS = {"none": 6, "mild": 5, "scan": 4, "photo": 3, "heavy": 2}


def _pick(rng: np.random.Generator, weights: dict) -> object:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def random_config(
    rng: np.random.Generator, record: Record | None = None, base: RenderConfig | None = None
) -> RenderConfig:
    """A page style drawn from ``rng``; ``base`` keeps its DPI, paper and start."""
    base = base or RenderConfig()
    twelve = record is None or {"I", "II"} <= set(record.leads) or record.n_leads >= 8
    return replace(
        base,
        layout=str(_pick(rng, TWELVE if twelve else FEW)),
        grid=str(_pick(rng, GRIDS)),
        minor_grid=str(_pick(rng, {"lines": 8, "dots": 1, "none": 1})),
        trace_colour=str(_pick(rng, {"black": 4, "blue": 1})),
        paper_speed=float(_pick(rng, {25.0: 9, 50.0: 1})),
        gain=float(_pick(rng, {10.0: 17, 5.0: 2, 20.0: 1})),
        line_width=float(np.round(rng.uniform(0.4, 1.1), 2)),
        header=bool(rng.random() < 0.8),
        separators=bool(rng.random() < 0.7),
        augment=str(_pick(rng, AUGMENTS)),
    )
