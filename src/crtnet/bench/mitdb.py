"""MIT-BIH inter-patient benchmark: choose on DS1 cross-validation, test DS2 once.

Every variant is scored by leave-records-out cross-validation inside DS1 (``inter-cv``:
DS1 records in stratified groups, pooled confusion over the held-out groups). Only the
variant with the best DS1 score is trained on all of DS1 and evaluated on DS2, and each
DS2 evaluation is appended to a ledger, so the docs can say how often DS2 was looked at.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np

CONFIG = "mitdb-inter-crtnet.yaml"
CLASSES = ["N", "S", "V", "F"]
_NO_CONTEXT = (
    "data_options.aux=[pre_rr_norm, post_rr_norm, local_rr_norm, pre_rr_ratio, "
    "post_rr_ratio, local_rr_cv]"
)
# name -> (config overrides, what it tests); "base" is the config file as it stands
VARIANTS: dict[str, tuple[list[str], str]] = {
    "base": ([], "the config file: CRT-Net, RR and context to the head"),
    "rhythm-seq": (["model=crtnet_rhythm"], "plus a BiGRU + Transformer over the neighbours' RR"),
    "no-template": (["data_options.template=false"], "without the record's median beat"),
    "no-context": ([_NO_CONTEXT], "without the ±10 neighbours' RR (no rhythm context)"),
    "no-rr-norm": (
        [
            "data_options.aux=[pre_rr_s, post_rr_s, local_rr_s, pre_rr_ratio, post_rr_ratio,"
            " local_rr_cv]"
        ],
        "RR in seconds and local ratios only (no division by the record's mean RR, no context)",
    ),
    "all-n": (["max_per_class=null"], "all N beats of the training records (no undersampling)"),
    "cnn-only": (["model=crtnet_cnn"], "CRT-Net without BiGRU and Transformer"),
    "mlii-only": (["data_options.leads=[MLII]"], "one lead (MLII) instead of two"),
}


def score(m: dict) -> float:
    """What the choice maximises: mean F1 of S and V, the two classes the targets name."""
    pc = m["per_class"]
    return float(np.mean([pc["S"]["f1"] or 0.0, pc["V"]["f1"] or 0.0]))


def pooled(confusions: list[list[list[int]]]) -> dict:
    """Gross (AAMI) statistics from the summed confusion of all held-out folds."""
    cm = np.sum(np.asarray(confusions, dtype=float), axis=0)
    return _stats(cm)


def _stats(cm: np.ndarray) -> dict:
    tp = np.diag(cm)
    with np.errstate(invalid="ignore", divide="ignore"):
        se, ppv = tp / cm.sum(1), tp / cm.sum(0)
        f1 = 2 * tp / (cm.sum(1) + cm.sum(0))
    nan = lambda v: None if not np.isfinite(v) else float(v)  # noqa: E731
    return {
        "accuracy": float(tp.sum() / cm.sum()),
        "per_class": {
            c: {"sensitivity": nan(se[i]), "ppv": nan(ppv[i]), "f1": nan(f1[i])}
            for i, c in enumerate(CLASSES)
        },
        "confusion": cm.astype(int).tolist(),
    }


def record_bootstrap(y, pred, records, n_boot: int = 1000, seed: int = 0) -> dict:
    """95% intervals resampling whole records, since beats of one patient are not independent."""
    y, pred, records = np.asarray(y), np.asarray(pred), np.asarray(records)
    k = len(CLASSES)
    names = sorted(set(records.tolist()))
    per = np.stack(
        [np.bincount(y[records == r] * k + pred[records == r], minlength=k * k) for r in names]
    )
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_boot):
        s = _stats(per[rng.integers(0, len(names), len(names))].sum(0).reshape(k, k))
        pc = s["per_class"]
        rows.append(
            [s["accuracy"]]
            + [pc[c][m] if pc[c][m] is not None else np.nan for c in CLASSES for m in _M]
        )
    with warnings.catch_warnings():  # a class absent from every resample has no interval
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(np.array(rows, dtype=float), [2.5, 97.5], axis=0)
    keys = ["accuracy"] + [f"{m}_{c}" for c in CLASSES for m in _M]
    fin = lambda v: float(v) if np.isfinite(v) else None  # noqa: E731
    return {key: [fin(a), fin(b)] for key, a, b in zip(keys, lo, hi, strict=True)}


_M = ("sensitivity", "ppv", "f1")


def cross_validate(name: str, roots, out_root: Path, overrides: list[str]) -> dict:
    """Pooled DS1 cross-validation metrics of one variant (finished folds are reused)."""
    from crtnet.bench.train import CONFIGS
    from crtnet.train.config import load_config
    from crtnet.train.loop import fit

    extra = VARIANTS[name][0] if name in VARIANTS else []
    base = load_config(CONFIGS / CONFIG, [*overrides, *extra], root=roots)
    confusions, minutes = [], 0.0
    for fold in range(base.n_folds):
        cfg = load_config(
            CONFIGS / CONFIG,
            [*overrides, *extra, "protocol=inter-cv", f"fold={fold}"],
            root=roots,
        )
        cfg.progress = False
        out = out_root / f"mitdb-cv-{name}-fold{fold}"
        fit(cfg, out)
        confusions.append(json.loads((out / "metrics.json").read_text())["val"]["confusion"])
        hist = json.loads((out / "history.json").read_text())
        minutes += sum(h["seconds"] for h in hist) / 60
    return {**pooled(confusions), "minutes": minutes, "folds": base.n_folds}


def evaluate_ds2(name: str, roots, out_root: Path, overrides: list[str]) -> tuple[dict, float]:
    """Train on all of DS1 with the variant's fixed budget, evaluate DS2 once, log it."""
    from crtnet.bench.train import CONFIGS
    from crtnet.models import load_run
    from crtnet.train.config import load_config
    from crtnet.train.infer import predict_split
    from crtnet.train.loop import fit, load_task

    extra = VARIANTS[name][0] if name in VARIANTS else []
    cfg = load_config(CONFIGS / CONFIG, [*overrides, *extra], root=roots)
    cfg.progress = False
    out = out_root / "mitdb-inter-crtnet"
    task = load_task(cfg)
    fit(cfg, out, task=task)
    hist = json.loads((out / "history.json").read_text())
    model, config = load_run(out)
    logits = predict_split(model, task.test, use_aux=config["model"]["aux_dim"] > 0)
    pred = logits.argmax(1)
    y = np.asarray(task.test.y)
    cm = np.bincount(y * 4 + pred, minlength=16).reshape(4, 4)
    records = np.array([i.split("@")[0] for i in task.test.ids.astype(str)])
    m = {**_stats(cm), "ci95": record_bootstrap(y, pred, records), "variant": name}
    metrics = json.loads((out / "metrics.json").read_text())
    metrics["test"] = m
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    with (out_root / "ds2-evaluations.jsonl").open("a") as f:
        f.write(json.dumps({"time": time.time(), "variant": name, "run": str(out)}) + "\n")
    return m, sum(h["seconds"] for h in hist) / 60


def ds2_count(out_root: Path) -> int:
    p = out_root / "ds2-evaluations.jsonl"
    return len(p.read_text().splitlines()) if p.is_file() else 0
