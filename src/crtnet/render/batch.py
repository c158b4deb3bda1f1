"""Render signal files to page files: the part of ``crtnet render`` worth reusing.

Seeds are derived from (seed, file stem, page number), so a page looks the same whatever
order or worker renders it, and a rerun skips pages whose JSON (written last) exists.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.render.page import RenderConfig, render_page
from crtnet.render.randomize import random_config
from crtnet.render.save import check_formats, output_names

SIGNAL_GLOBS = (
    "*.hea",
    "*.csv",
    "*.npz",
    "*.mat",
    "*.[xX][mM][lL]",
    "*.dcm",
    "*.[sS][cC][pP]",
    "*.edf",
)


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; folders become the signal files inside them (recursively, sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted({f for g in SIGNAL_GLOBS for f in p.rglob(g)})
            heas = {f.with_suffix("") for f in found if f.suffix == ".hea"}
            out += [f for f in found if f.suffix == ".hea" or f.with_suffix("") not in heas]
        else:
            out.append(p)
    return out


def page_seed(seed: int, stem: str, page: int) -> int:
    return int(np.random.SeedSequence([seed, zlib.crc32(stem.encode()), page]).generate_state(1)[0])


def render_file(
    path: Path,
    out_dir: Path,
    config: RenderConfig,
    *,
    formats: tuple[str, ...] = ("png",),
    seed: int = 0,
    pages: int = 1,
    overwrite: bool = False,
    randomize: bool = False,
) -> dict:
    """Render ``pages`` consecutive pages of one record; returns what was written/skipped."""
    from crtnet.io import read_record

    formats = check_formats(formats)
    config.validate()
    path = Path(path)
    from crtnet.io.wfdb_io import safe_record_name

    stem = safe_record_name(path.stem if path.suffix else path.name)
    span = 250.0 / config.paper_speed
    written, skipped = [], []
    rec = None
    for k in range(pages):
        name = stem if pages == 1 else f"{stem}-p{k + 1}"
        if not overwrite and all(
            (out_dir / n).exists() for n in output_names(name, formats, config.mask)
        ):
            skipped.append(name)
            continue
        if rec is None:
            rec = read_record(path)
        cfg = replace(config, start=config.start + k * span)
        if cfg.start * rec.fs >= rec.n_samples:
            if k == 0:
                raise CrtnetError(f"start {cfg.start} s is past the record's end", path)
            break
        page_rng_seed = page_seed(seed, stem, k)
        if randomize:  # the style too is drawn from the page's seed
            cfg = random_config(np.random.default_rng([page_rng_seed, 1]), rec, cfg)
        try:
            page = render_page(rec, cfg, seed=page_rng_seed)
        except CrtnetError as exc:
            raise CrtnetError(exc.problem, path) from None
        written += [str(p) for p in page.save(out_dir, name, formats)]
    return {"path": str(path), "written": written, "skipped": skipped}
