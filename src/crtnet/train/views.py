"""Printout views: a record as a printed page of a standard layout shows it.

A digitized 3x4 page gives 2.5 s of most leads and NaN elsewhere. Training on such views
(mixed with full signals) and feeding the per-lead validity mask to the model
(``lead_mask``) lets one model read full signals and printouts alike. Which lead shows
over which window comes from the renderer's layouts (``crtnet.render.layouts.visible``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

DEFAULT_LAYOUTS = ("3x4", "3x4+II", "6x2", "12x1")


class LayoutViews:
    """Random layout views for training batches: NaN outside what the page shows."""

    def __init__(self, layouts, leads: list[str], fs: float, n: int, p: float):
        from crtnet.render.layouts import visible

        self.p = float(p)
        self.masks = np.stack([visible(name, list(leads), n, fs) for name in layouts])

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """``x [B, C, L]`` float: each sample becomes a random layout's view with prob. p."""
        pick = rng.random(len(x)) < self.p
        if not pick.any():
            return x
        which = rng.integers(0, len(self.masks), int(pick.sum()))
        x = x.copy()
        x[pick] = np.where(self.masks[which], x[pick], np.nan)
        return x


def layout_view(split, layout: str, leads: list[str], fs: float):
    """A copy of ``split`` whose every record is shown as a ``layout`` page shows it."""
    from crtnet.render.layouts import visible

    x = np.asarray(split.x, dtype=np.float32)
    vis = visible(layout, list(leads), x.shape[-1], fs)
    return replace(split, x=np.where(vis[None], x, np.nan).astype(np.float32))


def check_layouts(layouts) -> list[str]:
    """The names, each checked against the renderer's registry (CrtnetError if unknown)."""
    from crtnet.render.layouts import get_layout

    return [get_layout(str(name)).name for name in layouts]
