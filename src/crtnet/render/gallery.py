"""Example pages for docs/gallery: one per layout and one per augmentation family.

Run ``python -m crtnet.render.gallery docs/gallery``; images are downscaled to ~900 px and
palette-quantised so the docs stay small.
"""

from __future__ import annotations

import sys
from pathlib import Path

from crtnet import samples
from crtnet.io import read_record
from crtnet.render.augment import PRESETS
from crtnet.render.layouts import LAYOUTS
from crtnet.render.page import RenderConfig, render_page

GRIDS = ["red", "pink", "orange", "green", "blue", "grey", "none"]


def _save_small(image, path: Path, width: int = 900) -> None:
    from PIL import Image

    im = Image.fromarray(image)
    im = im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS)
    im = im.quantize(colors=32, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    im.save(path, optimize=True)


def make_gallery(out: str | Path, dpi: int = 200) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ptb = read_record(samples.PTBXL / "records500" / "00000" / "00009_hr.hea")
    mit = read_record(samples.MITDB / "208.hea")
    mit = mit.replace(signal=mit.signal[:, 360 * 120 : 360 * 135].copy())
    written = []
    for i, name in enumerate(LAYOUTS):
        rec = mit if name in ("1x1", "2x1") else ptb
        cfg = RenderConfig(layout=name, dpi=dpi, grid=GRIDS[i % len(GRIDS)])
        if cfg.grid == "grey":
            cfg.minor_grid = "dots"
        if name == "6x2":
            cfg.trace_colour = "blue"
        if name == "12x1":
            cfg.paper_speed, cfg.gain = 25.0, 5.0
        dst = out / f"layout-{name}.png"
        _save_small(render_page(rec, cfg).image, dst)
        written.append(dst)
    for name in PRESETS:
        if name == "none":
            continue
        page = render_page(ptb, RenderConfig(dpi=dpi, augment=name), seed=11)
        dst = out / f"augment-{name}.png"
        _save_small(page.image, dst)
        written.append(dst)
    return written


if __name__ == "__main__":  # pragma: no cover
    for p in make_gallery(sys.argv[1] if len(sys.argv) > 1 else "docs/gallery"):
        print(p, p.stat().st_size)
