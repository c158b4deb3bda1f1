"""PTB-XL CRT-Net ablation: design changes chosen on the validation folds of the CV.

Every variant is CRT-Net trained on the same patient-wise folds, seed and epoch budget as
``ptbxl-cv`` (config ``configs/ptbxl-superdiagnostic.yaml``); the variants add one change
at a time. The choice is the best mean *validation* macro-AUC (fold k+1 of each split);
the test folds are reported, never used to choose.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

CONFIG = "ptbxl-ablation.yaml"
_VIEWS = ["lead_mask=true", "views=0.5"]
_KERNELS = ["model_cfg.stem_kernel=15", "model_cfg.kernels=[9, 5]"]
_WIDE = ["model_cfg.stem_channels=64", "model_cfg.channels=[128, 128, 128]"]
# name -> (config overrides, what it changes); "base" is the config file's CRT-Net
VARIANTS: dict[str, tuple[list[str], str]] = {
    "base": ([], "CRT-Net as in the 5-fold table"),
    "skip": (["model_cfg.skip=true"], "the CNN's pooled features also go to the head"),
    "aug": (["augment=true"], "gain/noise/offset/shift augmentation"),
    "views": (_VIEWS, "lead-mask input + printout layout views for half the samples"),
    "aug-views": (["augment=true", *_VIEWS], "augmentation + lead mask + layout views"),
    "wide": (_WIDE, "a CNN as wide as resnet1d_wang's (64/128/128/128 channels)"),
    "kernels": (_KERNELS, "longer convolution kernels (stem 15, blocks 9/5)"),
    "long": (["epochs=20", "patience=6"], "20 epochs (patience 6) instead of 10 (4)"),
    "aug-kernels": (["augment=true", *_KERNELS], "augmentation + longer kernels"),
    "aug-wide": (["augment=true", *_WIDE], "augmentation + the wide CNN"),
    "bundle": (
        ["augment=true", *_KERNELS, *_VIEWS],
        "the bundled model's recipe: augmentation + longer kernels + lead mask + views",
    ),
}


def run_dir(out_root: Path, variant: str, fold: int) -> Path:
    return Path(out_root) / f"ptbxl-abl-{variant}-fold{fold}"


def cross_validate(variant: str, roots, out_root: Path, overrides: list[str], folds: int) -> dict:
    """Train (or reuse) the variant's fold runs; their val and test macro-AUC per fold."""
    from crtnet.bench.train import _fit_eval

    val, test, minutes = [], [], []
    for k in range(folds):
        v, t, m = _fit_eval(
            CONFIG,
            run_dir(out_root, variant, k),
            roots,
            [*VARIANTS[variant][0], *overrides],
            model="crtnet",
            fold=k,
            protocol="cv",
        )
        val.append(v["macro_auc"])
        test.append(t["macro_auc"])
        minutes.append(m)
    return {"val": val, "test": test, "minutes": minutes}


def view_aucs(out_root: Path, variant: str, folds: int, layouts: list[str]) -> dict[str, float]:
    """Mean test macro-AUC when each test record is shown as a layout's printout would."""
    from crtnet.evaluate.metrics import compute_metrics
    from crtnet.models import load_run
    from crtnet.train.config import TrainConfig
    from crtnet.train.infer import predict_split, to_probs
    from crtnet.train.loop import load_task
    from crtnet.train.views import layout_view

    out: dict[str, list[float]] = {name: [] for name in layouts}
    for k in range(folds):
        rd = run_dir(out_root, variant, k)
        model, config = load_run(rd)
        task = load_task(TrainConfig(**config["train"]))
        for name in layouts:
            split = layout_view(task.test, name, task.leads, task.fs)
            probs = to_probs(predict_split(model, split, use_aux=False), True)
            m = compute_metrics(split.y, probs, task.classes, True, None, n_boot=0)
            out[name].append(m["macro_auc"])
    return {name: float(np.mean(v)) for name, v in out.items()}


def table(rows: dict[str, dict], views: dict[str, dict[str, float]], layouts: list[str]) -> str:
    head = "| variant | val macro-AUC (choice) | test macro-AUC mean ± sd | per fold | "
    head += " | ".join(f"test {name} view" for name in layouts) + " | train min/fold |"
    lines = [head, "|" + "---|" * (5 + len(layouts))]
    for name, r in rows.items():
        t = np.asarray(r["test"])
        vcells = [f"{views[name][lay]:.3f}" if name in views else "-" for lay in layouts]
        lines.append(
            f"| {name} ({VARIANTS[name][1]}) | {np.mean(r['val']):.3f} | "
            f"{t.mean():.3f} ± {t.std():.3f} | {', '.join(f'{v:.3f}' for v in t)} | "
            + " | ".join(vcells)
            + f" | {np.mean(r['minutes']):.1f} |"
        )
    return "\n".join(lines)


def finished(out_root: Path, variant: str, folds: int) -> bool:
    return all(
        (run_dir(out_root, variant, k) / "metrics.json").is_file()
        and "test" in json.loads((run_dir(out_root, variant, k) / "metrics.json").read_text())
        for k in range(folds)
    )
