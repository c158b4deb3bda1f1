"""PTB-XL: 12-lead 10 s records with the label tasks of Strodthoff et al. (2021).

Several roots with the PTB-XL layout combine into one dataset (duplicate ``ecg_id`` kept
once). Protocols: ``strat_fold`` (folds 1-8 train, 9 val, 10 test) and ``cv`` (patient-wise
iteratively stratified k-fold over whatever records exist) and ``all`` (every record
trains except one inner validation fold; ``holdout`` ecg_ids and their patients' other
records form the test split, e.g. the demo record kept out of a bundled model).
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from crtnet.data import cache as _cache
from crtnet.data.preprocess import PreprocessConfig, preprocess
from crtnet.data.registry import register_dataset
from crtnet.data.splits import cv_masks, stratified_group_folds
from crtnet.data.tasks import ArraySplit, TaskData, cached_task
from crtnet.errors import CrtnetError
from crtnet.io import STANDARD_12, read_record

TASKS = ("superdiagnostic", "subdiagnostic", "diagnostic", "form", "rhythm", "all")
SUPER = ["NORM", "MI", "STTC", "CD", "HYP"]
MARKER = "ptbxl_database.csv"


def load_database(roots: list[Path]):
    """The combined ``ptbxl_database.csv`` rows (with their root) and ``scp_statements``."""
    import pandas as pd

    frames = []
    for r in roots:
        try:
            df = pd.read_csv(r / MARKER, index_col="ecg_id")
        except Exception as exc:
            raise CrtnetError(f"unreadable PTB-XL database: {exc}", r / MARKER) from None
        df["root"] = str(r)
        frames.append(df)
    db = pd.concat(frames)
    db = db[~db.index.duplicated(keep="first")].sort_index()
    db["scp_codes"] = db["scp_codes"].apply(ast.literal_eval)
    stmt_file = roots[0] / "scp_statements.csv"
    if not stmt_file.is_file():
        raise CrtnetError("no scp_statements.csv in this folder", roots[0])
    stmts = pd.read_csv(stmt_file, index_col=0)
    return db, stmts


def labels_for(db, stmts, task: str) -> list[list[str]]:
    """Per-record label lists for a task, aggregated as in Strodthoff et al. (2021)."""
    if task not in TASKS:
        raise CrtnetError(f"unknown PTB-XL task {task!r}; choose one of {', '.join(TASKS)}")
    diag = stmts[stmts["diagnostic"] == 1]
    if task == "superdiagnostic":
        lut = diag["diagnostic_class"].to_dict()
    elif task == "subdiagnostic":
        lut = diag["diagnostic_subclass"].to_dict()
    elif task == "diagnostic":
        lut = {k: k for k in diag.index}
    elif task in ("form", "rhythm"):
        lut = {k: k for k in stmts.index[stmts[task] == 1]}
    else:
        lut = {k: k for k in stmts.index}
    out = []
    for codes in db["scp_codes"]:
        out.append(sorted({str(lut[c]) for c in codes if c in lut and lut[c] == lut[c]}))
    return out


def load_signals(db, fs: int, pp: PreprocessConfig, cache: bool = True) -> np.ndarray:
    """``[len(db), 12, 10*fs]`` signals in ``db`` order, memory-mapped from the signal cache.

    Cached once per (roots, records, fs, preprocessing), so every task and fold reuses it.
    """
    col = "filename_lr" if fs == 100 else "filename_hr"
    paths = [str(Path(r) / f) for r, f in zip(db["root"], db[col], strict=True)]

    def build():
        xs = []
        for p in paths:
            sig, rfs = _read_fast(p)
            if sig is None:  # anything but the plain PTB-XL layout: the general reader
                rec = read_record(p, leads=STANDARD_12)
                sig, rfs = rec.signal, rec.fs
            xs.append(preprocess(sig, rfs, pp)[0].astype(np.float32))
        lengths = {x.shape[-1] for x in xs}
        if len(lengths) > 1:
            raise CrtnetError(f"records differ in length ({sorted(lengths)} samples)")
        return {"x": np.stack(xs)}, {}

    spec = {"dataset": "ptbxl-signals", "paths": paths, "fs": fs, "preprocess": pp.key()}
    arrays, _ = _cache.cached_arrays("signals", spec, build, use_cache=cache, mmap=("x",))
    return arrays["x"]


def _read_fast(path: str) -> tuple[np.ndarray | None, float]:
    """PTB-XL's own layout (12 leads, format 16, mV, one .dat) without wfdb's slow header
    parser (~8 ms per record, minutes on the full 21,799); ``None`` means "not that layout".
    """
    from crtnet.io.leads import normalize_lead

    try:
        lines = [ln.split() for ln in Path(f"{path}.hea").read_text().splitlines()]
        lines = [ln for ln in lines if ln and not ln[0].startswith("#")]
        _, n_sig, fs, n = lines[0][:4]
        n_sig, fs, n = int(n_sig), float(fs), int(n)
        sig_lines = lines[1 : 1 + n_sig]
        files = {ln[0] for ln in sig_lines}
        if len(files) != 1 or any(ln[1] != "16" or not ln[2].endswith("/mV") for ln in sig_lines):
            return None, 0.0
        gain = np.array([float(ln[2].split("(")[0].split("/")[0]) for ln in sig_lines])
        base = np.array(
            [
                int(ln[2].split("(")[1].split(")")[0]) if "(" in ln[2] else int(ln[4])
                for ln in sig_lines
            ]
        )
        leads = [normalize_lead(ln[8]) for ln in sig_lines]
        if sorted(leads) != sorted(STANDARD_12) or np.any(gain == 0):
            return None, 0.0
        raw = np.fromfile(Path(path).parent / files.pop(), dtype="<i2")
        if raw.size != n * n_sig:
            return None, 0.0
    except (OSError, ValueError, IndexError, CrtnetError):
        return None, 0.0
    x = ((raw.reshape(n, n_sig).T - base[:, None]) / gain[:, None]).astype(np.float32)
    x[raw.reshape(n, n_sig).T == -32768] = np.nan  # WFDB's missing-sample value
    return x[[leads.index(ld) for ld in STANDARD_12]], fs


@register_dataset("ptbxl")
class PTBXL:
    marker = MARKER

    @staticmethod
    def task(
        root,
        *,
        arg=None,
        protocol=None,
        fold=0,
        n_folds=5,
        task=None,
        fs=None,
        cache=True,
        seed=0,
        bandpass=None,
        normalize="none",
        printout_views=False,
        holdout=(),
        **unknown,
    ) -> TaskData:
        if unknown:
            raise CrtnetError(f"unknown ptbxl option(s): {', '.join(unknown)}")
        task = task or "superdiagnostic"
        fs = int(fs or 100)
        if fs not in (100, 500):
            raise CrtnetError(f"PTB-XL comes at 100 or 500 Hz, not {fs}")
        roots = _cache.resolve_roots("ptbxl", root, MARKER)
        db, stmts = load_database(roots)
        notes = []
        if fs == 500:
            has = np.array(
                [
                    isinstance(f, str) and (Path(r) / f"{f}.hea").is_file()
                    for r, f in zip(db["root"], db["filename_hr"], strict=True)
                ]
            )
            if not has.any():
                raise CrtnetError("no 500 Hz records (records500/) here; use fs=100", roots[0])
            if not has.all():
                notes.append(f"{int((~has).sum())} records without a 500 Hz file skipped")
                db = db[has]
        labs = labels_for(db, stmts, task)
        keep = np.array([len(x) > 0 for x in labs])
        if not keep.all():
            notes.append(f"{int((~keep).sum())} records without a {task} label dropped")
        full, pos = db, np.flatnonzero(keep)  # signals are cached for all records
        db = db[keep]
        labs = [x for x, k in zip(labs, keep, strict=True) if k]
        classes = SUPER if task == "superdiagnostic" else sorted({c for x in labs for c in x})
        folds_present = set(db["strat_fold"].astype(int))
        if protocol is None:
            protocol = "strat_fold" if folds_present >= set(range(1, 11)) else "cv"
        if protocol not in ("strat_fold", "cv", "all"):
            raise CrtnetError(f"unknown ptbxl protocol {protocol!r}; use strat_fold, cv or all")
        holdout = sorted(int(i) for i in holdout or ())
        if holdout and protocol != "all":
            raise CrtnetError("holdout= needs protocol all (cv and strat_fold fix their test)")
        pp = PreprocessConfig(
            fs=None, bandpass=tuple(bandpass) if bandpass else None, normalize=normalize
        )
        spec = {
            "task": "ptbxl",
            "roots": [str(r) for r in roots],
            "ids": db.index.tolist(),
            "csv_mtimes": [(r / MARKER).stat().st_mtime for r in roots],
            "label_task": task,
            "protocol": protocol,
            "fold": fold,
            "n_folds": n_folds,
            "seed": seed,
            "fs": fs,
            "preprocess": pp.key(),
            **({"holdout": holdout} if holdout else {}),
        }

        def build() -> TaskData:
            y = np.zeros((len(db), len(classes)), np.float32)
            lut = {c: i for i, c in enumerate(classes)}
            for i, x in enumerate(labs):
                y[i, [lut[c] for c in x]] = 1
            groups = np.array([f"ptbxl/{int(p)}" for p in db["patient_id"]])
            if protocol == "strat_fold":
                sf = db["strat_fold"].to_numpy().astype(int)
                masks = {"train": sf <= 8, "val": sf == 9, "test": sf == 10}
            elif protocol == "all":
                if not 0 <= fold < n_folds:
                    raise CrtnetError(f"fold {fold} outside 0..{n_folds - 1}")
                masks = all_masks(
                    stratified_group_folds(y, groups, n_folds, seed),
                    fold,
                    groups,
                    np.isin(db.index, holdout),
                )
            else:
                masks = cv_masks(stratified_group_folds(y, groups, n_folds, seed), fold, n_folds)
            x = load_signals(full, fs, pp, cache)
            ids = np.array([f"ptbxl/{i:05d}" for i in db.index])
            splits = {s: ArraySplit(x[pos[m]], y[m], groups[m], ids[m]) for s, m in masks.items()}
            prot = {
                "dataset": "ptbxl",
                "roots": [str(r) for r in roots],
                "protocol": protocol,
                "task": task,
                "fold": fold,
                "n_folds": n_folds,
                "seed": seed,
                "fs": fs,
                "preprocessing": pp.key(),
                "notes": notes,
                **({"holdout": holdout} if holdout else {}),
                "ecg_ids": {s: db.index[m].tolist() for s, m in masks.items()},
            }
            return TaskData(
                name=f"ptbxl-{task}",
                classes=classes,
                multilabel=True,
                fs=float(fs),
                leads=list(STANDARD_12),
                protocol=prot,
                **splits,
            )

        data = cached_task(spec, build, cache)
        return with_printout_views(data) if printout_views else data

    @staticmethod
    def summary(root, use_cache: bool = True, **kw) -> dict:
        roots = _cache.resolve_roots("ptbxl", root, MARKER)
        db, stmts = load_database(roots)
        sup = labels_for(db, stmts, "superdiagnostic")
        return {
            "roots": [str(r) for r in roots],
            "n_records": int(len(db)),
            "n_patients": int(db["patient_id"].nunique()),
            "superdiagnostic": {c: sum(c in x for x in sup) for c in SUPER},
            "no_superdiagnostic_label": sum(not x for x in sup),
            "folds": {
                str(k): int(v) for k, v in db["strat_fold"].value_counts().sort_index().items()
            },
            "records_per_root": {r: int(v) for r, v in db["root"].value_counts().items()},
        }


def all_masks(fold_of, fold: int, groups, held) -> dict[str, np.ndarray]:
    """Train on every record but validation fold ``fold``; held-out patients are the test."""
    test = np.isin(groups, groups[held])
    val = (fold_of == fold) & ~test
    return {"train": ~(val | test), "val": val, "test": test}


def with_printout_views(data: TaskData) -> TaskData:
    """Add to train and val a copy of every record as a 3x4 printout shows it.

    A standard 3x4 page shows each lead for one 2.5 s column only (lead II also as the
    10 s rhythm strip); the digitizer returns NaN elsewhere and ``predict`` zero-fills.
    The test split is left as recorded. Kept for the first bundled model's config; new
    runs use the ``views`` and ``lead_mask`` training options (train/views.py), which
    mix every standard layout and tell the model what is missing.
    """
    from dataclasses import replace

    def double(split: ArraySplit) -> ArraySplit:
        x = np.asarray(split.x)
        view = printout_view(x, data.fs, data.leads)
        return ArraySplit(
            np.concatenate([x, view]),
            np.concatenate([split.y, split.y]),
            np.concatenate([split.groups, split.groups]),
            np.concatenate([split.ids, np.char.add(split.ids.astype(str), "#3x4")]),
        )

    prot = {**data.protocol, "printout_views": "train and val doubled with 3x4+II views"}
    return replace(data, train=double(data.train), val=double(data.val), protocol=prot)


def printout_view(x: np.ndarray, fs: float, leads: list[str]) -> np.ndarray:
    """Zero each lead outside what a 3x4+II page shows (the renderer's layout)."""
    from crtnet.render.layouts import visible

    vis = visible("3x4+II", list(leads), x.shape[-1], fs)
    return np.where(vis, x, 0).astype(x.dtype)
