"""MIT-BIH Arrhythmia Database: beats around annotated R peaks, AAMI EC57 classes.

Protocols: ``inter`` (de Chazal et al. 2004: train DS1, test DS2, paced records out) and
``intra`` (beats of all non-paced records, stratified random split — optimistic, since
beats of one patient sit on both sides; reported only for comparison with the literature).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crtnet.data import cache as _cache
from crtnet.data.beats import (
    AUX_NAMES,
    aux_names,
    beat_windows,
    complete_beats,
    other_lead,
    rr_features,
    template_mode,
    with_template,
)
from crtnet.data.preprocess import PreprocessConfig, preprocess
from crtnet.data.registry import register_dataset
from crtnet.data.splits import stratified_split
from crtnet.data.tasks import ArraySplit, TaskData, cached_task
from crtnet.errors import CrtnetError
from crtnet.io import Record, read_record

AAMI = {
    **dict.fromkeys("NLRej", "N"),
    **dict.fromkeys("AaJS", "S"),
    **dict.fromkeys("VE", "V"),
    "F": "F",
    **dict.fromkeys("/fQ", "Q"),
}
AAMI_CLASSES = ["N", "S", "V", "F", "Q"]
DS1 = "101 106 108 109 112 114 115 116 118 119 122 124 201 203 205 207 208 209 215 220 223 230"
DS2 = "100 103 105 111 113 117 121 123 200 202 210 212 213 214 219 221 222 228 231 232 233 234"
DS1, DS2 = DS1.split(), DS2.split()
PACED = ["102", "104", "107", "217"]
PATIENT = {"202": "201"}  # records 201 and 202 come from the same subject
FS = 360.0


@dataclass
class BeatAnnotations:
    sample: np.ndarray  # int64 R-peak sample indices (at the record's fs)
    symbol: np.ndarray  # str MIT-BIH beat symbols
    aami: np.ndarray  # str AAMI class per beat


def aami_class(symbol: str) -> str | None:
    """AAMI EC57 class of a MIT-BIH beat symbol; None for non-beat annotations."""
    return AAMI.get(symbol)


def record_names(root: Path) -> list[str]:
    return [ln.strip() for ln in (root / "RECORDS").read_text().split() if ln.strip()]


def read_beats(root: Path, name: str) -> BeatAnnotations:
    import wfdb

    try:
        ann = wfdb.rdann(str(root / name), "atr")
    except Exception as exc:
        raise CrtnetError(f"unreadable annotation file: {exc}", root / f"{name}.atr") from None
    sym = np.asarray(ann.symbol)
    keep = np.isin(sym, list(AAMI))
    sym = sym[keep]
    return BeatAnnotations(
        np.asarray(ann.sample)[keep].astype(np.int64), sym, np.array([AAMI[s] for s in sym])
    )


def records(
    root: str | Path | None = None, names: list[str] | None = None
) -> Iterator[tuple[Record, BeatAnnotations]]:
    """Raw records with their beat annotations, for rhythm work (no filtering)."""
    root = _cache.resolve_roots("mitdb", root, "RECORDS")[0]
    for name in names or record_names(root):
        rec = read_record(root / name, strict_leads=False)
        yield rec.replace(patient_id=PATIENT.get(name, name)), read_beats(root, name)


def _beats(root: Path, fs: float, leads: list[str], before_s: float, after_s: float, pp) -> tuple:
    """All complete beat windows of every record in RECORDS (build step of the beat cache)."""
    before, after = round(before_s * fs), round(after_s * fs)
    xs, ys, recs, samples, auxs, skipped, edge = [], [], [], [], [], {}, {}
    for name in record_names(root):
        rec = read_record(root / name, strict_leads=False)
        names = other_lead(rec.leads, leads)
        missing = [ld for ld in names if ld not in rec.leads]
        if missing:
            skipped[name] = f"lacks lead(s) {', '.join(missing)}"
            continue
        sig, _ = preprocess(rec.select(names).signal, rec.fs, pp)
        ann = read_beats(root, name)
        peaks = np.round(ann.sample * fs / rec.fs).astype(np.int64)
        aux = rr_features(ann.sample, rec.fs, AUX_NAMES)
        ok = complete_beats(peaks, sig.shape[-1], before, after)
        edge[name] = int((~ok).sum())
        xs.append(beat_windows(sig, peaks[ok], before, after))
        ys.append(ann.aami[ok])
        recs.append(np.full(int(ok.sum()), name))
        samples.append(ann.sample[ok])
        auxs.append(aux[ok])
    if not xs:
        raise CrtnetError(f"no MIT-BIH record has lead(s) {leads}", root)
    arrays = {
        "x": np.concatenate(xs),
        "aami": np.concatenate(ys),
        "record": np.concatenate(recs),
        "sample": np.concatenate(samples),
        "aux": np.concatenate(auxs),
    }
    return arrays, {"skipped_records": skipped, "edge_beats_dropped": edge}


def load_beats(
    root=None,
    *,
    fs: float | None = None,
    leads: list[str] | None = None,
    before_s: float = 0.9,
    after_s: float = 1.1,
    baseline: bool = True,
    bandpass: tuple[float, float] | None = (0.5, 40.0),
    cache: bool = True,
) -> tuple[dict[str, np.ndarray], dict]:
    """Every beat of every record (x memory-mapped from the cache) with its record and class."""
    root = _cache.resolve_roots("mitdb", root, "RECORDS")[0]
    fs = float(fs or FS)
    leads = list(leads or ["MLII"])
    pp = PreprocessConfig(fs=fs, bandpass=tuple(bandpass) if bandpass else None, baseline=baseline)
    spec = {
        "dataset": "mitdb-beats",
        "root": str(root),
        "records": record_names(root),
        "leads": leads,
        "before_s": before_s,
        "after_s": after_s,
        "preprocess": pp.key(),
        "aux": AUX_NAMES,
    }
    arrays, meta = _cache.cached_arrays(
        "beats",
        spec,
        lambda: _beats(root, fs, leads, before_s, after_s, pp),
        use_cache=cache,
        mmap=("x",),
    )
    meta = {**meta, "root": str(root), "fs": fs, "leads": leads, "preprocess": pp.key()}
    return arrays, meta


def pick_val_records(ds1: list[str], rec, y, n_val: int, seed: int) -> list[str]:
    """Seeded held-out DS1 records with 10-50 % of DS1's S and V beats and ≤ 50 % of its F.

    A plain random pick can hold out record 208, which carries ~90 % of DS1's F beats, so
    the model sees almost no F examples; or it can hold out no V beats, so validation
    cannot judge V. Seeded random draws are tried until one keeps every class on both sides.
    """
    per = {r: {c: int(((y == c) & (rec == r)).sum()) for c in ("S", "V", "F")} for r in ds1}
    total = {c: sum(p[c] for p in per.values()) for c in ("S", "V", "F")}
    rng = np.random.default_rng(seed)
    first = None
    for _ in range(2000):
        pick = sorted(rng.choice(ds1, n_val, replace=False).tolist())
        first = first or pick
        share = {c: sum(per[r][c] for r in pick) / max(total[c], 1) for c in total}
        # F lives almost only in 208: demand only that it stays mostly in training
        if 0.1 <= share["S"] <= 0.5 and 0.1 <= share["V"] <= 0.5 and share["F"] <= 0.5:
            return pick
    return first or []


def ds1_folds(rec: np.ndarray, y: np.ndarray, n_folds: int, seed: int) -> list[list[str]]:
    """DS1 records in ``n_folds`` groups, stratified by their S, V and F beats.

    DS1's S beats sit in a handful of records (209, 201, 207, 118, 220, 223 hold most), so
    a plain random record split can leave a fold with none; patients stay whole (201/202).
    """
    from crtnet.data.splits import stratified_group_folds

    m = np.isin(rec, DS1)
    if not m.any():
        return []
    labels = np.stack([y[m] == c for c in ("S", "V", "F")], 1)
    groups = np.array([PATIENT.get(r, r) for r in rec[m]])
    fold_of = stratified_group_folds(labels, groups, n_folds, seed)
    return [sorted(set(rec[m][fold_of == f].tolist())) for f in range(n_folds)]


def _split(b: dict, mask: np.ndarray, classes: list[str]) -> ArraySplit:
    idx = np.flatnonzero(mask)
    rec = b["record"][idx]
    lut = {c: i for i, c in enumerate(classes)}
    return ArraySplit(
        x=np.ascontiguousarray(b["x"][idx]),
        y=np.array([lut[c] for c in b["aami"][idx]], dtype=np.int64),
        groups=np.array([f"mitdb/{PATIENT.get(r, r)}" for r in rec]),
        ids=np.char.add(np.char.add(np.char.add("mitdb/", rec), "@"), b["sample"][idx].astype(str)),
        aux=np.asarray(b["aux"][idx], dtype=np.float32),
    )


@register_dataset("mitdb")
class MITDB:
    marker = "RECORDS"

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
        before_s=0.9,
        after_s=1.1,
        leads=None,
        baseline=True,
        bandpass=(0.5, 40.0),
        val_fraction=0.2,
        aux=None,
        template=False,
        **unknown,
    ) -> TaskData:
        if unknown:
            raise CrtnetError(f"unknown mitdb option(s): {', '.join(unknown)}")
        protocol = protocol or "inter"
        if protocol not in ("inter", "inter-cv", "intra"):
            raise CrtnetError(f"unknown mitdb protocol {protocol!r}; use inter, inter-cv or intra")
        kw = dict(
            fs=fs,
            leads=leads,
            before_s=before_s,
            after_s=after_s,
            baseline=baseline,
            bandpass=bandpass,
        )
        picked = aux_names(aux)
        tmode = template_mode(template)
        roots = _cache.resolve_roots("mitdb", root, "RECORDS")
        spec = {
            "task": "mitdb",
            "protocol": protocol,
            "seed": seed,
            "val_fraction": val_fraction,
            "val_rule": "class-aware-v3",
            "fold": [fold, n_folds] if protocol == "inter-cv" else None,
            "root": str(roots[0]),
            "records": record_names(roots[0]),
            **{k: str(v) for k, v in kw.items()},
            "aux": picked,
            "template": tmode is not None if tmode in (None, "median") else tmode,
        }

        def build() -> TaskData:
            b, meta = load_beats(roots[0], cache=cache, **kw)
            b = {k: np.asarray(v) if k != "x" else v for k, v in b.items()}
            b["aux"] = b["aux"][:, [AUX_NAMES.index(n) for n in picked]]
            rec, y = b["record"], b["aami"]
            if tmode:  # each beat against its record's median beat (all its beats)
                b["x"] = with_template(b["x"], rec, tmode)
            prot = {
                "dataset": "mitdb",
                "roots": [meta["root"]],
                "protocol": protocol,
                "seed": seed,
                "preprocessing": meta["preprocess"],
                "window_s": [before_s, after_s],
                "notes": meta["skipped_records"],
                "edge_beats_dropped": sum(meta["edge_beats_dropped"].values()),
                "beat_template": tmode is not None if tmode in (None, "median") else tmode,
            }
            if protocol == "inter-cv":
                classes = ["N", "S", "V", "F"]
                beat = y != "Q"
                held = ds1_folds(rec, y, n_folds, seed)
                if fold not in range(n_folds) or not held:
                    raise CrtnetError(f"fold {fold} not in 0..{n_folds - 1} or no DS1 records")
                out = np.isin(rec, held[fold])
                inside = beat & np.isin(rec, sum(held, []))
                masks = {"train": inside & ~out, "val": inside & out, "test": inside & out}
                prot["cv_records"] = held
            elif protocol == "inter":
                classes = ["N", "S", "V", "F"]
                ds1 = [r for r in DS1 if r in set(rec)]
                beat = y != "Q"
                if val_fraction:
                    n_val = max(1, round(val_fraction * len(ds1))) if len(ds1) > 1 else 0
                    val_recs = pick_val_records(ds1, rec, y, n_val, seed)
                    val = beat & np.isin(rec, val_recs)
                else:  # no held-out records: epochs were chosen by DS1 cross-validation
                    val_recs, val = [], beat & np.isin(rec, ds1)
                masks = {
                    "train": beat & np.isin(rec, ds1) & ~np.isin(rec, val_recs),
                    "val": val,
                    "test": beat & np.isin(rec, DS2),
                }
                if not masks["test"].any() or not masks["train"].any():
                    raise CrtnetError("inter-patient protocol needs DS1 and DS2 records", roots[0])
            else:
                classes = AAMI_CLASSES
                usable = ~np.isin(rec, PACED)
                idx = np.flatnonzero(usable)
                parts = stratified_split(y[idx], (0.8, 0.1, 0.1), seed)
                masks = {}
                for s, part in zip(("train", "val", "test"), parts, strict=True):
                    m = np.zeros(len(y), bool)
                    m[idx[part]] = True
                    masks[s] = m
            prot["records"] = {s: sorted(set(rec[m].tolist())) for s, m in masks.items()}
            splits = {s: _split(b, m, classes) for s, m in masks.items()}
            return TaskData(
                name=f"mitdb-{protocol}",
                classes=classes,
                multilabel=False,
                fs=meta["fs"],
                leads=meta["leads"],
                protocol=prot,
                aux_names=picked,
                **splits,
            )

        return cached_task(spec, build, cache)

    @staticmethod
    def summary(root, use_cache: bool = True, **kw) -> dict:
        """Beat counts per AAMI class in DS1 and DS2 (paced records excluded)."""
        b, meta = load_beats(root, cache=use_cache, **kw)
        rec, y = np.asarray(b["record"]), np.asarray(b["aami"])
        out: dict = {}
        for name, recs in (("DS1", DS1), ("DS2", DS2)):
            m = np.isin(rec, recs)
            out[name] = {c: int((y[m] == c).sum()) for c in AAMI_CLASSES}
        out["totals"] = {k: sum(out[k].values()) for k in ("DS1", "DS2")}
        out["all_records"] = {c: int((y == c).sum()) for c in AAMI_CLASSES}
        out["n_records"] = len(set(rec.tolist()))
        out["paced_excluded"] = PACED
        out["edge_beats_dropped"] = sum(meta["edge_beats_dropped"].values())
        out["skipped_records"] = meta["skipped_records"]
        out["window_s"] = [kw.get("before_s", 0.9), kw.get("after_s", 1.1)]
        return out
