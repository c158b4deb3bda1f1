"""Write a rendered page: image files, ground-truth JSON and the WFDB record of what is shown.

Each file is written to a temporary name and renamed, and the JSON goes last, so a page
whose JSON exists is complete (the CLI skips it on a rerun).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_path
from crtnet.render import paper

if TYPE_CHECKING:
    from crtnet.render.page import Page

FORMATS = ("png", "jpg", "pdf", "vector-pdf")


def check_formats(formats: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise CrtnetError(f"unknown output format(s) {bad}; choose from {', '.join(FORMATS)}")
    return tuple(formats)


def output_names(stem: str, formats: tuple[str, ...], mask: bool = False) -> list[str]:
    ext = {"png": ".png", "jpg": ".jpg", "pdf": ".pdf", "vector-pdf": "-vector.pdf"}
    names = [stem + ext[f] for f in formats] + [f"{stem}.hea", f"{stem}.dat", f"{stem}.json"]
    return names + [f"{stem}-mask.png"] if mask else names


def save_page(page: Page, out_dir: str | Path, stem: str, formats=("png",)) -> list[Path]:
    from PIL import Image

    from crtnet.io.wfdb_io import write_wfdb

    formats = check_formats(formats)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        pil = Image.fromarray(page.image)
        dpi = (page.truth["dpi"], page.truth["dpi"])
        for fmt in formats:
            if fmt == "png":
                dst = out / f"{stem}.png"
                with atomic_path(dst) as tmp:
                    pil.save(tmp, format="PNG", dpi=dpi, compress_level=1)
            elif fmt == "jpg":
                dst = out / f"{stem}.jpg"
                with atomic_path(dst) as tmp:
                    pil.save(tmp, format="JPEG", quality=92, dpi=dpi)
            elif fmt == "pdf":
                dst = out / f"{stem}.pdf"
                with atomic_path(dst) as tmp:
                    pil.save(tmp, format="PDF", resolution=float(page.truth["dpi"]))
            else:
                dst = out / f"{stem}-vector.pdf"
                with atomic_path(dst) as tmp:
                    write_vector_pdf(page, tmp)
            written.append(dst)
        if page.mask is not None:
            dst = out / f"{stem}-mask.png"
            with atomic_path(dst) as tmp:
                Image.fromarray(page.mask).save(tmp, format="PNG", compress_level=1)
            written.append(dst)
        written.append(write_wfdb(page.shown, out / stem))
        written.append(out / f"{stem}.dat")
        dst = out / f"{stem}.json"
        with atomic_path(dst) as tmp:
            tmp.write_text(json.dumps(page.truth, separators=(",", ":")))
        written.append(dst)
    except BaseException:  # killed or failed mid-page: no PNG is left without its JSON
        for f in written:
            f.unlink(missing_ok=True)
        raise
    return written


def write_vector_pdf(page: Page, path: str | Path) -> None:
    """The clean page as vectors: grid as lines, every trace one polyline path (mm → pt).

    Augmentations are raster effects and are not part of the vector page; its geometry is
    the un-augmented one (``truth["homography"]`` maps it to the augmented raster).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    t = page.truth
    ppmm = t["px_per_mm"]
    w_mm, h_mm = paper.PAPER_MM[t["paper"]]
    bg, minor, major = (np.array(c) / 255.0 for c in paper.PALETTES[t["grid"]])
    with matplotlib.rc_context({"path.simplify": False, "pdf.fonttype": 42}):
        fig = Figure(figsize=(w_mm / paper.MM_PER_INCH, h_mm / paper.MM_PER_INCH))
        fig.patch.set_facecolor(bg)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, w_mm)
        ax.set_ylim(h_mm, 0)
        ax.set_axis_off()
        if t["grid"] != "none":
            style = t["config"].get("minor_grid", "lines")
            xs, ys = np.arange(0, w_mm, 1.0), np.arange(0, h_mm, 1.0)
            if style == "lines":
                segs = [[(x, 0), (x, h_mm)] for x in xs if round(x) % 5]
                segs += [[(0, y), (w_mm, y)] for y in ys if round(y) % 5]
                ax.add_collection(LineCollection(segs, colors=[minor], linewidths=0.28))
            elif style == "dots":
                gx, gy = np.meshgrid(xs, ys)
                ax.scatter(
                    gx.ravel(),
                    gy.ravel(),
                    s=0.3,
                    marker="s",
                    linewidths=0,
                    color=(minor + major) / 2,
                )
            segs = [[(x, 0), (x, h_mm)] for x in xs[::5]]
            segs += [[(0, y), (w_mm, y)] for y in ys[::5]]
            ax.add_collection(LineCollection(segs, colors=[major], linewidths=0.57))
        lw = float(t["config"]["line_width"])
        for op in page.ops:
            if op[0] == "line":
                x = (np.asarray(op[1], float) + 0.5) / ppmm
                y = (np.asarray(op[2], float) + 0.5) / ppmm
                ax.plot(
                    x,
                    y,
                    color=np.array(op[3]) / 255.0,
                    linewidth=lw,
                    solid_joinstyle="round",
                    solid_capstyle="round",
                    clip_on=False,
                )
            else:
                _, text, x, y, h = op
                ax.text(
                    (x + 0.5) / ppmm,
                    (y + 0.5) / ppmm,
                    text,
                    fontsize=h / ppmm * 72 / 25.4 * 1.35,
                    color=np.array(paper.TEXT_RGB) / 255.0,
                    va="baseline",
                    family="DejaVu Sans",
                )
        fig.savefig(path, format="pdf", facecolor=bg)
