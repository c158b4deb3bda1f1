"""PTB-XL: 12-lead 10 s records with the label tasks of Strodthoff et al. (2021).

Several roots with the PTB-XL layout combine into one dataset (duplicate ``ecg_id`` kept
once). Protocols: ``strat_fold`` (folds 1-8 train, 9 val, 10 test) and ``cv`` (patient-wise
iteratively stratified k-fold over whatever records exist).
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
            rec = read_record(p, leads=STANDARD_12)
            xs.append(preprocess(rec.signal, rec.fs, pp)[0].astype(np.float32))
        lengths = {x.shape[-1] for x in xs}
        if len(lengths) > 1:
            raise CrtnetError(f"records differ in length ({sorted(lengths)} samples)")
        return {"x": np.stack(xs)}, {}

    spec = {"dataset": "ptbxl-signals", "paths": paths, "fs": fs, "preprocess": pp.key()}
    arrays, _ = _cache.cached_arrays("signals", spec, build, use_cache=cache, mmap=("x",))
    return arrays["x"]


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
        if protocol not in ("strat_fold", "cv"):
            raise CrtnetError(f"unknown ptbxl protocol {protocol!r}; use strat_fold or cv")
        pp = PreprocessConfig(
            fs=None, bandpass=tuple(bandpass) if bandpass else None, normalize=normalize
        )
        spec = {
            "task": "ptbxl",
            "roots": [str(r) for r in roots],
            "ids": db.index.tolist(),
            "label_task": task,
            "protocol": protocol,
            "fold": fold,
            "n_folds": n_folds,
            "seed": seed,
            "fs": fs,
            "preprocess": pp.key(),
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

        return cached_task(spec, build, cache)

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
