"""MIT-BIH inter-patient benchmark: choose on DS1 cross-validation, test DS2 once.

Every variant is scored by leave-records-out cross-validation inside DS1 (``inter-cv``:
DS1 records in stratified groups, pooled confusion over the held-out groups). Only the
variant with the best DS1 score is trained on all of DS1 and evaluated on DS2, and each
DS2 evaluation is appended to a ledger, so the docs can say how often DS2 was looked at.

A variant named ``NAME+bias`` reuses NAME's folds and adds per-class logit offsets for S
and V chosen on held-out DS1 predictions (``choose_bias``): its CV figure is nested (each
fold's offsets come from the other folds' held-out beats), and its DS2 model uses the
offsets chosen on all of NAME's held-out DS1 beats, never on DS2.
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
# the locally and per-patient normalised RR of beats.LOCAL_NAMES (no neighbours' sequence)
_LOCAL = (
    "pre_post_ratio, pre_rr_prev, post_rr_prev, pre_rr_5min, post_rr_5min, pre_rr_nb, "
    "post_rr_nb, nb_rr_irregularity"
)
_RR_LOCAL = f"data_options.aux=[pre_rr_norm, post_rr_norm, {_LOCAL}]"
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
    "rr-local": (
        [_RR_LOCAL],
        "RR over the record's mean, the previous 10 beats, ±150 s and the neighbours' median, "
        "pre/post, and the neighbours' RR irregularity (no ±10 RR sequence)",
    ),
    "rr-local-cnn": (
        [_RR_LOCAL, "model=crtnet_cnn"],
        "rr-local, CNN only (no BiGRU, no Transformer)",
    ),
    "rr-local-res": (
        [_RR_LOCAL, "data_options.template=residual"],
        "rr-local, the beat minus its record's median beat instead of beat and median",
    ),
    "res": (
        ["data_options.template=residual"],
        "the config, the beat minus its record's median beat instead of beat and median",
    ),
    "rr-local-md": (
        [_RR_LOCAL, "model_cfg.embed_drop=0.5", "model_cfg.aux_logits=true"],
        "rr-local, half the training beats without signal features and RR logits of their own",
    ),
    "rr-local-res-md": (
        [
            _RR_LOCAL,
            "data_options.template=residual",
            "model_cfg.embed_drop=0.5",
            "model_cfg.aux_logits=true",
        ],
        "rr-local-res and rr-local-md together",
    ),
    "rr-local-res-md-w1": (
        [
            _RR_LOCAL,
            "data_options.template=residual",
            "model_cfg.embed_drop=0.5",
            "model_cfg.aux_logits=true",
            "balance_power=1.0",
        ],
        "rr-local-res-md with class weights 1/frequency instead of 1/sqrt(frequency)",
    ),
    "rr-local-res-md-ctx": (
        [
            _RR_LOCAL[:-1]
            + ", "
            + ", ".join(f"pre_rr_norm{k:+d}" for k in range(-10, 11) if k)
            + "]",
            "data_options.template=residual",
            "model_cfg.embed_drop=0.5",
            "model_cfg.aux_logits=true",
        ],
        "rr-local-res-md plus the ±10 neighbours' RR over the record's mean",
    ),
    "w1": (["balance_power=1.0"], "the config with class weights 1/frequency"),
    "rr-local-res-w1": (
        [_RR_LOCAL, "data_options.template=residual", "balance_power=1.0"],
        "rr-local-res with class weights 1/frequency (rr-local-res-md-w1 without embed_drop "
        "and aux_logits)",
    ),
    "mlii-only": (["data_options.leads=[MLII]"], "one lead (MLII) instead of two"),
}


BIAS = "+bias"
BIAS_GRID = np.round(np.arange(-3.0, 3.01, 0.25), 2)


def known(name: str) -> bool:
    return name.removesuffix(BIAS) in VARIANTS


def describe(name: str) -> str:
    base = name.removesuffix(BIAS)
    text = VARIANTS[base][1]
    return f"{text}; S/V logit offsets chosen on held-out DS1" if name != base else text


def choose_bias(logits: np.ndarray, y: np.ndarray, grid=BIAS_GRID) -> list[float]:
    """Offsets added to the S and V logits that maximise ``score`` on held-out beats.

    Class weights set the prior the model learns in; what F1 rewards depends on how
    rare S is in unseen patients, which DS1's held-out records estimate. Ties go to the
    smaller offsets (first in order of |b_S| + |b_V|).
    """
    logits, y = np.asarray(logits, dtype=np.float64), np.asarray(y)
    k = len(CLASSES)
    pairs = sorted(((bs, bv) for bs in grid for bv in grid), key=lambda p: abs(p[0]) + abs(p[1]))
    best, best_b = -1.0, [0.0] * k
    for bs, bv in pairs:
        b = np.array([0.0, bs, bv, 0.0])
        sc = score(_stats(confusion(y, (logits + b).argmax(1))))
        if sc > best + 1e-12:
            best, best_b = sc, [float(v) for v in b]
    return best_b


def confusion(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """The class-by-class count of (truth, prediction) over CLASSES."""
    k = len(CLASSES)
    return np.bincount(np.asarray(y) * k + pred, minlength=k * k).reshape(k, k)


def _fold_config(overrides: list[str], extra: list[str], fold: int, roots):
    """The config of one DS1 cross-validation fold of a variant."""
    from crtnet.bench.train import CONFIGS
    from crtnet.train.config import load_config

    return load_config(
        CONFIGS / CONFIG, [*overrides, *extra, "protocol=inter-cv", f"fold={fold}"], root=roots
    )


def held_out(out: Path, cfg) -> tuple[np.ndarray, np.ndarray]:
    """Logits and labels of a CV fold's held-out records (cached beside the run)."""
    from crtnet.models import load_run
    from crtnet.train.infer import predict_split
    from crtnet.train.loop import load_task

    p = out / "val_logits.npz"
    if not p.is_file():
        model, config = load_run(out)
        task = load_task(cfg)
        logits = predict_split(model, task.val, use_aux=config["model"]["aux_dim"] > 0)
        np.savez(p, logits=logits, y=np.asarray(task.val.y))
    d = np.load(p)
    return d["logits"], d["y"]


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

    train = name.removesuffix(BIAS)
    extra = VARIANTS[train][0] if train in VARIANTS else []
    base = load_config(CONFIGS / CONFIG, [*overrides, *extra], root=roots)
    confusions, minutes, held = [], 0.0, []
    for fold in range(base.n_folds):
        cfg = _fold_config(overrides, extra, fold, roots)
        cfg.progress = False
        out = out_root / f"mitdb-cv-{train}-fold{fold}"
        fit(cfg, out)
        confusions.append(json.loads((out / "metrics.json").read_text())["val"]["confusion"])
        hist = json.loads((out / "history.json").read_text())
        minutes += sum(h["seconds"] for h in hist) / 60
        held.append(held_out(out, cfg))
    extra_out: dict = {}
    if name != train:  # nested: each fold's offsets from the other folds' held-out beats
        confusions, biases = [], []
        for f, (logits, y) in enumerate(held):
            rest = [h for g, h in enumerate(held) if g != f]
            b = choose_bias(
                np.concatenate([h[0] for h in rest]), np.concatenate([h[1] for h in rest])
            )
            biases.append(b)
            pred = (logits + np.array(b)).argmax(1)
            confusions.append(confusion(y, pred).tolist())
        extra_out["fold_bias"] = biases
    return {**pooled(confusions), "minutes": minutes, "folds": base.n_folds, **extra_out}


def evaluate_ds2(name: str, roots, out_root: Path, overrides: list[str]) -> tuple[dict, float]:
    """Train on all of DS1 with the variant's fixed budget, evaluate DS2 once, log it."""
    from crtnet.bench.train import CONFIGS
    from crtnet.models import load_run
    from crtnet.train.config import load_config
    from crtnet.train.infer import predict_split
    from crtnet.train.loop import fit, load_task

    train = name.removesuffix(BIAS)
    extra = VARIANTS[train][0] if train in VARIANTS else []
    cfg = load_config(CONFIGS / CONFIG, [*overrides, *extra], root=roots)
    cfg.progress = False
    bias = [0.0] * len(CLASSES)
    if name != train:  # offsets from all of the variant's held-out DS1 beats
        held = []
        for fold in range(cfg.n_folds):
            fcfg = _fold_config(overrides, extra, fold, roots)
            held.append(held_out(out_root / f"mitdb-cv-{train}-fold{fold}", fcfg))
        bias = choose_bias(
            np.concatenate([h[0] for h in held]), np.concatenate([h[1] for h in held])
        )
    out = out_root / "mitdb-inter-crtnet"
    task = load_task(cfg)
    fit(cfg, out, task=task)
    hist = json.loads((out / "history.json").read_text())
    model, config = load_run(out)
    logits = predict_split(model, task.test, use_aux=config["model"]["aux_dim"] > 0)
    pred = (logits + np.array(bias)).argmax(1)
    y = np.asarray(task.test.y)
    cm = confusion(y, pred)
    records = np.array([i.split("@")[0] for i in task.test.ids.astype(str)])
    m = {
        **_stats(cm),
        "ci95": record_bootstrap(y, pred, records),
        "variant": name,
        "logit_bias": bias,
    }
    metrics = json.loads((out / "metrics.json").read_text())
    metrics["test"] = m
    (out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    with (out_root / "ds2-evaluations.jsonl").open("a") as f:
        f.write(json.dumps({"time": time.time(), "variant": name, "run": str(out)}) + "\n")
    return m, sum(h["seconds"] for h in hist) / 60


def ds2_count(out_root: Path) -> int:
    p = out_root / "ds2-evaluations.jsonl"
    return len(p.read_text().splitlines()) if p.is_file() else 0
