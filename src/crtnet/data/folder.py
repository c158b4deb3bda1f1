"""Your own cohort: a CSV manifest of signal files (or ECG images/PDFs) with labels.

Columns: ``path`` (relative to the manifest), optional ``patient_id`` and ``split``
(train/val/test), and one or more label columns. Images are digitized once and the
result cached as npz, so a rerun reads signals instead of re-tracing pages.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from crtnet.data import cache as _cache
from crtnet.data.preprocess import PreprocessConfig, pad_or_crop, preprocess
from crtnet.data.registry import register_dataset
from crtnet.data.splits import cv_masks, stratified_group_folds
from crtnet.data.tasks import ArraySplit, TaskData, cached_task
from crtnet.errors import CrtnetError
from crtnet.io import STANDARD_12, Record, read_record

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pdf")
RESERVED = ("path", "patient_id", "split", "record_id")


def read_manifest(manifest: str | Path, label_column=None, multilabel: bool = False):
    """Rows and label columns of a manifest; errors name the manifest (and row)."""
    import pandas as pd

    manifest = Path(manifest).expanduser()
    if not manifest.is_file():
        raise CrtnetError("manifest not found", manifest)
    try:
        df = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise CrtnetError(f"unreadable manifest CSV: {exc}", manifest) from None
    if "path" not in df.columns:
        raise CrtnetError("manifest has no 'path' column", manifest)
    if label_column:
        cols = [label_column] if isinstance(label_column, str) else list(label_column)
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise CrtnetError(f"no label column(s) {missing} (have {list(df.columns)})", manifest)
    else:
        cols = [c for c in df.columns if c not in RESERVED]
    if not cols:
        raise CrtnetError("manifest has no label column", manifest)
    if len(cols) > 1 and not multilabel:
        raise CrtnetError(
            f"several label columns {cols}; pick one with --label-column or use multilabel",
            manifest,
        )
    if "split" in df.columns:
        bad = ~df["split"].isin(["train", "val", "test"])
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 2
            raise CrtnetError(f"row {row}: split must be train, val or test", manifest)
    return df, cols


def _load_row(manifest: Path, row: int, rel: str, fs: float | None) -> Record:
    path = (manifest.parent / rel).resolve()
    where = f"{manifest}: row {row} ({rel})"
    try:
        if path.suffix.lower() in IMAGE_SUFFIXES:
            if not path.is_file():
                raise CrtnetError("file not found", path)
            return _digitized(path, fs or 500.0)
        return read_record(path, strict_leads=False)
    except CrtnetError as exc:
        raise CrtnetError(f"row {row} ({rel}): {exc.problem}", manifest) from None
    except Exception as exc:  # a reader bug still names the row the user can look at
        raise CrtnetError(f"{where}: {type(exc).__name__}: {exc}") from None


def _digitized(path: Path, fs: float) -> Record:
    """Digitize an image/PDF once; the record is cached as npz keyed by content and fs."""
    from crtnet.io import write_record

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    out = _cache.cache_dir() / "digitized" / f"{digest}-{fs:g}.npz"
    if out.is_file():
        return read_record(out)
    try:
        from crtnet.digitize import digitize
    except ImportError:
        raise CrtnetError("images need the digitizer (crtnet.digitize), which is missing") from None
    rec = digitize(path, fs=fs).record
    write_record(rec, out, "npz")
    return rec


def _labels(df, cols: list[str], multilabel: bool, manifest: Path):
    if not multilabel:
        vals = df[cols[0]].astype(str).str.strip()
        empty = vals == ""
        if empty.any():
            raise CrtnetError(f"row {int(np.flatnonzero(empty)[0]) + 2}: empty label", manifest)
        classes = sorted(set(vals))
        lut = {c: i for i, c in enumerate(classes)}
        return np.array([lut[v] for v in vals], np.int64), classes
    if len(cols) > 1:  # one 0/1 column per class
        try:
            y = df[cols].apply(lambda s: s.str.strip().replace("", "0").astype(float)).to_numpy()
        except ValueError:
            raise CrtnetError(f"multi-label columns {cols} must hold 0/1", manifest) from None
        return (y > 0).astype(np.float32), list(cols)
    sets = [{t.strip() for t in v.replace(",", ";").split(";") if t.strip()} for v in df[cols[0]]]
    classes = sorted(set().union(*sets))
    y = np.array([[c in s for c in classes] for s in sets], np.float32)
    return y, classes


@register_dataset("folder")
class Folder:
    marker = None

    @staticmethod
    def task(
        root=None,
        *,
        arg=None,
        protocol=None,
        fold=0,
        n_folds=5,
        task=None,
        fs=None,
        cache=True,
        seed=0,
        label_column=None,
        multilabel=False,
        leads=None,
        length_s=None,
        bandpass=None,
        normalize="none",
        **unknown,
    ) -> TaskData:
        if unknown:
            raise CrtnetError(f"unknown folder option(s): {', '.join(unknown)}")
        manifest = Path(arg).expanduser().resolve()
        df, cols = read_manifest(manifest, label_column or task, multilabel)
        y, classes = _labels(df, cols, multilabel, manifest)
        stamp = [(p, _stamp(manifest.parent / p)) for p in df["path"]]
        spec = {
            "task": "folder",
            "manifest": str(manifest),
            "mtime": manifest.stat().st_mtime,
            "files": stamp,
            "cols": cols,
            "multilabel": multilabel,
            "fs": fs,
            "leads": leads,
            "length_s": length_s,
            "bandpass": bandpass,
            "normalize": normalize,
            "fold": fold,
            "n_folds": n_folds,
            "seed": seed,
        }

        def build() -> TaskData:
            recs = [_load_row(manifest, i + 2, p, fs) for i, p in enumerate(df["path"])]
            target = float(fs or recs[0].fs)
            names = leads or (
                STANDARD_12
                if all(set(STANDARD_12) <= set(r.leads) for r in recs)
                else recs[0].leads
            )
            pp = PreprocessConfig(
                fs=target, bandpass=tuple(bandpass) if bandpass else None, normalize=normalize
            )
            sigs = [
                preprocess(r.select(names, fill_missing=True).signal, r.fs, pp)[0] for r in recs
            ]
            n = round(length_s * target) if length_s else max(s.shape[-1] for s in sigs)
            x = np.stack([_fit(s, n) for s in sigs]).astype(np.float32)
            rid = [r.record_id or Path(p).stem for r, p in zip(recs, df["path"], strict=True)]
            pid = df["patient_id"] if "patient_id" in df.columns else rid
            groups = np.array([f"folder/{p or r}" for p, r in zip(pid, rid, strict=True)])
            ids = np.array([f"folder/{p}" for p in df["path"]])
            if "split" in df.columns:
                sp = df["split"].to_numpy()
                masks = {s: sp == s for s in ("train", "val", "test")}
                how = "manifest split column"
            else:
                lab = y if y.ndim == 2 else np.eye(len(classes))[y]
                masks = cv_masks(stratified_group_folds(lab, groups, n_folds, seed), fold, n_folds)
                how = f"patient-wise stratified {n_folds}-fold, fold {fold}"
            splits = {s: ArraySplit(x[m], y[m], groups[m], ids[m]) for s, m in masks.items()}
            prot = {
                "dataset": f"folder:{manifest}",
                "roots": [str(manifest.parent)],
                "protocol": how,
                "label_columns": cols,
                "seed": seed,
                "preprocessing": pp.key(),
                "length": n,
                "paths": {s: df["path"][m].tolist() for s, m in masks.items()},
            }
            return TaskData(
                name=f"folder-{manifest.stem}",
                classes=classes,
                multilabel=bool(multilabel),
                fs=target,
                leads=list(names),
                protocol=prot,
                **splits,
            )

        return cached_task(spec, build, cache)

    @staticmethod
    def summary(
        root=None, use_cache: bool = True, *, arg=None, label_column=None, multilabel=False, **kw
    ) -> dict:
        manifest = Path(arg).expanduser().resolve()
        df, cols = read_manifest(manifest, label_column, multilabel)
        y, classes = _labels(df, cols, multilabel, manifest)
        counts = y.sum(0) if y.ndim == 2 else np.bincount(y, minlength=len(classes))
        out = {
            "manifest": str(manifest),
            "n_records": len(df),
            "label_columns": cols,
            "classes": {c: int(n) for c, n in zip(classes, counts, strict=True)},
        }
        if "patient_id" in df.columns:
            out["n_patients"] = int(df["patient_id"].nunique())
        if "split" in df.columns:
            out["splits"] = {k: int(v) for k, v in df["split"].value_counts().items()}
        return out


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    """Crop to ``n`` samples or pad with NaN (not available), never with fake zeros."""
    if x.shape[-1] >= n:
        return pad_or_crop(x, n)
    out = np.full((x.shape[0], n), np.nan, np.float32)
    out[:, : x.shape[-1]] = x
    return out


def _stamp(p: Path) -> list:
    try:
        st = p.stat()
        return [st.st_size, st.st_mtime]
    except OSError:
        return []
