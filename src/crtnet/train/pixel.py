"""Training of the digitizer's pixel model on crtnet's own renders (``crtnet train-pixel``).

Every rendered page knows each pixel's truth: the pen (lead traces, pulses, printed text)
is the dark colourless ink of the clean page, the grid is whatever else differs from the
paper. That label image rides through the same augmentation, software photograph and
dewarp as the page (a label of 255, 128 or 0, warped with it), so the model trains on
exactly what the digitizer will show it, with exact labels. Handwriting added by the
augmentation is labelled "other".

Crops are rendered once into a cache (``crops.npz``), then training draws from it. Seeded;
a checkpoint after every chunk of steps lets an interrupted run resume.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError

GRIDS = ["red", "pink", "orange", "green", "blue", "grey", "none"]


@dataclass
class PixelTrainConfig:
    pages: int = 200
    crops_per_page: int = 48
    crop: int = 96  # cached crop side
    train_crop: int = 64  # random windows of the cached crops, a fresh view each step
    steps: int = 6000
    batch: int = 32
    lr: float = 3e-3
    seed: int = 0
    checkpoint_every: int = 250
    threads: int = 2
    workers: int = 2  # processes that render, photograph and dewarp the pages
    # records whose pages are benchmarks elsewhere are never printed for training: the
    # photographed renders (00110-00135), the ecg-image-kit variants (00301-00348) and
    # the real photos' records
    max_id: int = 300
    exclude_ids: tuple[int, int] = (100, 140)
    exclude: tuple[str, ...] = ("00012_hr", "01032_hr", "01103_hr", "01137_hr", "01286_hr")


def _records(
    roots: list[Path],
    n: int,
    rng,
    max_id: int = 10**9,
    exclude: tuple[str, ...] = (),
    exclude_ids: tuple[int, int] = (0, -1),
) -> list[Path]:
    """PTB-XL records to print: from the given roots, or the bundled samples."""
    from crtnet.samples import PTBXL

    heads = []
    for r in roots or [Path(PTBXL)]:
        heads += sorted(Path(r).glob("records500/*/*_hr.hea"))
    lo, hi = exclude_ids
    heads = [
        h
        for h in heads
        if int(h.name[:5]) <= max_id and h.stem not in exclude and not lo <= int(h.name[:5]) <= hi
    ]
    if not heads:
        raise CrtnetError(
            "no PTB-XL 500 Hz records (records500/*/*_hr.hea) to print",
            ", ".join(str(r) for r in roots) or PTBXL,
        )
    pick = rng.choice(len(heads), size=min(n, len(heads)), replace=False)
    return [heads[i].with_suffix("") for i in sorted(pick)]


def _glare(img: np.ndarray, rng) -> np.ndarray:
    """A washed-out patch (a lamp's reflection): ink and grid fade towards white."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cy, cx = rng.uniform(0, h), rng.uniform(0, w)
    r = rng.uniform(0.05, 0.25) * max(h, w)
    g = rng.uniform(0.3, 0.8) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    out = img.astype(np.float32)
    out += (255 - out) * g[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def photographed_page(head: Path, seed: int):
    """(photo, its pixel labels, the rendered page): a randomly printed page, augmented
    and photographed in software; the labels ride through every warp."""
    from crtnet.bench.photographed import photograph
    from crtnet.io import read_record
    from crtnet.render import RenderConfig, render_page
    from crtnet.render.augment import augment_page

    rng = np.random.default_rng(seed)
    cfg = RenderConfig(
        layout=str(rng.choice(["3x4+II", "3x4+II", "3x4", "6x2", "12x1", "3x4+3"])),
        dpi=int(rng.integers(150, 300)),
        grid=str(rng.choice(GRIDS)),
        line_width=float(rng.uniform(0.3, 1.2)),
        minor_grid=str(rng.choice(["lines", "lines", "dots", "none"])),
        trace_colour=str(rng.choice(["black", "black", "black", "blue"])),
        header=bool(rng.random() < 0.7),
    )
    page = render_page(read_record(head), cfg, seed=seed)
    img = page.image.astype(np.float32)
    bg = img[2, 2].copy()
    hi, lo = img.max(axis=2), img.min(axis=2)
    ink = (hi < 150) & (hi - lo < 60)
    grid = ~ink & (np.abs(img - bg).sum(axis=2) > 24)
    if grid.any() and rng.random() < 0.5:  # darker, browner grids than the palettes
        k = rng.uniform(0.35, 0.85)
        tint = rng.uniform(0.8, 1.0, 3)
        img[grid] = bg - (bg - img[grid]) * (1 + (1 - k) * 2.5) * tint
        img = np.clip(img, 0, 255)
    if rng.random() < 0.3:  # a faint pen
        img[ink] = bg - (bg - img[ink]) * rng.uniform(0.3, 0.7)
    page.image = img.astype(np.uint8)
    page.mask = np.where(ink, 255, np.where(grid, 128, 0)).astype(np.uint8)
    spec = dict(
        blur=float(rng.uniform(0, 1.2)),
        noise=float(rng.uniform(0, 8)),
        shading=float(rng.uniform(0, 0.6)),
        colour=float(rng.uniform(0, 0.4)),
        fade=float(rng.uniform(0, 0.5)) if rng.random() < 0.3 else 0.0,
        wrinkles=float(rng.uniform(0, 0.5)) if rng.random() < 0.3 else 0.0,
        scribbles=int(rng.integers(0, 3)),
    )
    augment_page(page, spec, seed=seed)
    photo, lab = photograph(page.image, seed, page.mask)
    if rng.random() < 0.5:
        photo = _glare(photo, rng)
    return photo, lab, page


def _page(head: Path, seed: int):
    """(dewarped light-flattened page, its pixel labels, px/mm): a photographed page
    dewarped by the digitizer itself, so the model sees exactly what it will read
    (residual warp, resampling blur, the flattened light). None when the dewarp fails."""
    import cv2

    from crtnet.digitize.dewarp import dewarp, flatten

    photo, lab, _ = photographed_page(head, seed)
    d = dewarp(photo)
    if d is None or d.maps is None:
        return None
    flat, _ = flatten(d.image, 5 * d.px_per_mm, on_lattice=True)
    lab = cv2.remap(lab, d.maps[0], d.maps[1], cv2.INTER_NEAREST, borderValue=0)
    labels = np.where(lab > 190, 2, np.where(lab > 60, 1, 0)).astype(np.uint8)
    return flat, labels, d.px_per_mm


def _page_crops(args) -> tuple[np.ndarray, np.ndarray] | None:
    """One page's crops of the model's input features and labels: a third centred on ink,
    a third where the rule's mask and the truth disagree, a third anywhere."""
    from crtnet.digitize.dewarp import pen_mask
    from crtnet.digitize.pixelnet import features

    head, seed, n, c = args
    got = _page(head, seed)
    if got is None:
        return None
    flat, lab, ppm = got
    fc = features(flat, ppm)
    if fc is None:
        return None
    f, _ = fc
    rule = pen_mask(flat, ppm)
    h, w = lab.shape
    rng = np.random.default_rng(seed + 1)
    where = [np.nonzero(lab == 2)]
    if rule is not None:
        where.append(np.nonzero(rule != (lab == 2)))
    xs, ys = [], []
    for j in range(n):
        pool = where[j % 3] if j % 3 < len(where) else None
        if pool is not None and pool[0].size:
            k = rng.integers(pool[0].size)
            y0 = int(np.clip(pool[0][k] - c // 2, 0, h - c))
            x0 = int(np.clip(pool[1][k] - c // 2, 0, w - c))
        else:
            y0, x0 = int(rng.integers(0, h - c)), int(rng.integers(0, w - c))
        xs.append(f[:, y0 : y0 + c, x0 : x0 + c].astype(np.float16))
        ys.append(lab[y0 : y0 + c, x0 : x0 + c])
    return np.stack(xs), np.stack(ys)


def make_crops(cfg: PixelTrainConfig, roots: list[Path], cache: Path, log=print) -> dict:
    """Render, photograph and dewarp ``cfg.pages`` pages once (in ``cfg.workers``
    processes; each page seeded by its index, so the cache is the same however many) and
    keep crops of their features. Pages in page order: the last ones are held out."""
    if cache.is_file():
        with np.load(cache) as z:
            return {k: z[k] for k in z.files}
    from concurrent.futures import ProcessPoolExecutor

    rng = np.random.default_rng(cfg.seed)
    heads = _records(roots, cfg.pages, rng, cfg.max_id, cfg.exclude, cfg.exclude_ids)
    jobs = [
        (heads[i % len(heads)], cfg.seed * 100003 + i, cfg.crops_per_page, cfg.crop)
        for i in range(cfg.pages)
    ]
    if cfg.workers > 1:
        with ProcessPoolExecutor(cfg.workers) as ex:
            got = list(ex.map(_page_crops, jobs))
    else:
        got = [_page_crops(j) for j in jobs]
    got = [g for g in got if g is not None]
    if not got:
        raise CrtnetError("no rendered page could be dewarped (pages without a grid?)", cache)
    log(f"crops from {len(got)} of {cfg.pages} pages (the rest failed to dewarp)")
    data = {"x": np.concatenate([g[0] for g in got]), "y": np.concatenate([g[1] for g in got])}
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **data)
    tmp.replace(cache)
    return data


def train_pixel(
    out: Path, cfg: PixelTrainConfig, roots: list[Path], log=print, stop_after: int | None = None
) -> dict | None:
    """Train (or resume) into ``out``: model.safetensors, metrics.json and the checkpoint
    (``train.checkpoint``: safetensors + JSON, no pickle).

    ``stop_after`` ends this call after that many steps, as an interruption would (the
    checkpoint is written; a later call resumes); it then returns None."""
    import torch

    from crtnet.digitize.pixelnet import build
    from crtnet.train import checkpoint as ck

    out = Path(out)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    data = make_crops(cfg, roots, out / "crops.npz", log)  # makes ``out`` once it has pages
    n = len(data["y"])
    n_val = max(1, n // 10)  # the last pages' crops: validation, never trained on
    feats = torch.from_numpy(data["x"].astype(np.float32))
    labels = torch.from_numpy(data["y"].astype(np.int64))
    tr_x, tr_y, va_x, va_y = feats[:-n_val], labels[:-n_val], feats[-n_val:], labels[-n_val:]
    net = build()
    freq = torch.bincount(tr_y.flatten(), minlength=3).float()
    weight = (freq.sum() / (3 * freq.clamp(min=1))) ** 0.5

    def batch_loss(gen):
        idx = torch.randint(0, len(tr_y), (cfg.batch,), generator=gen)
        c = min(cfg.train_crop, tr_x.shape[-1])
        oy, ox = (int(v) for v in torch.randint(0, tr_x.shape[-1] - c + 1, (2,), generator=gen))
        x, y = tr_x[idx, :, oy : oy + c, ox : ox + c], tr_y[idx, oy : oy + c, ox : ox + c]
        if torch.rand(1, generator=gen).item() < 0.5:  # mirrored pages are pages too
            x, y = x.flip(-1), y.flip(-1)
        return torch.nn.functional.cross_entropy(net(x), y, weight=weight)

    t0 = time.perf_counter()
    if not ck.run_steps(
        out,
        net,
        batch_loss,
        lr=cfg.lr,
        steps=cfg.steps,
        seed=cfg.seed,
        checkpoint_every=cfg.checkpoint_every,
        log=log,
        stop_after=stop_after,
    ):
        return None
    metrics = evaluate(net, va_x, va_y)
    ck.save_weights(net, out / "model.safetensors")
    metrics.update(
        {
            "config": asdict(cfg),
            "train_crops": int(len(tr_y)),
            "val_crops": int(n_val),
            "seconds": round(time.perf_counter() - t0, 1),
        }
    )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    return metrics


def evaluate(net, x, y) -> dict:
    """Per-class precision, recall and IoU on held-out crops."""
    import torch

    with torch.inference_mode():
        pred = torch.cat([net(x[i : i + 64]).argmax(1) for i in range(0, len(x), 64)])
    out = {}
    for k, name in enumerate(("other", "grid", "ink")):
        tp = int(((pred == k) & (y == k)).sum())
        fp = int(((pred == k) & (y != k)).sum())
        fn = int(((pred != k) & (y == k)).sum())
        out[name] = {
            "precision": round(tp / max(1, tp + fp), 4),
            "recall": round(tp / max(1, tp + fn), 4),
            "iou": round(tp / max(1, tp + fp + fn), 4),
        }
    return out
