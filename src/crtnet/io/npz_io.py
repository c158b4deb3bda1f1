"""NumPy ``.npz`` records: exact float32 samples plus JSON metadata, never pickles."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_path
from crtnet.io.leads import normalize_leads
from crtnet.io.record import Record


def read_npz(path: str | Path, *, strict_leads: bool = True) -> Record:
    path = Path(path)
    if not path.exists():
        raise CrtnetError("file not found", path)
    try:
        with np.load(path, allow_pickle=False) as z:
            if "signal" not in z or "fs" not in z:
                raise CrtnetError(f"npz lacks 'signal'/'fs' arrays (has {sorted(z.files)})", path)
            signal = z["signal"]
            fs = float(z["fs"])
            leads = [str(x) for x in z["leads"]] if "leads" in z else None
            meta = json.loads(str(z["meta"])) if "meta" in z else {}
    except CrtnetError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise CrtnetError(f"unreadable npz: {exc}", path) from None
    if signal.ndim != 2 or not np.issubdtype(signal.dtype, np.number):
        raise CrtnetError(
            f"'signal' must be a numeric [leads, samples] array, got {signal.shape}", path
        )
    if leads is None:
        leads = [f"ch{i}" for i in range(signal.shape[0])]
        strict_leads = False
    try:
        leads = normalize_leads(leads, strict=strict_leads)
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    return Record(
        signal=signal,
        fs=fs,
        leads=leads,
        record_id=meta.pop("record_id", path.stem),
        patient_id=meta.pop("patient_id", None),
        labels=meta.pop("labels", []),
        source=str(path),
        units=meta.pop("units", "mV"),
        meta=meta.pop("meta", {}),
    )


def write_npz(record: Record, path: str | Path) -> Path:
    path = Path(path)
    meta = {
        "record_id": record.record_id,
        "patient_id": record.patient_id,
        "labels": record.labels,
        "units": record.units,
        "meta": {k: v for k, v in record.meta.items() if _plain(v)},
    }
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                signal=record.signal.astype(np.float32),
                fs=np.float64(record.fs),
                leads=np.array(record.leads, dtype=str),
                meta=np.array(json.dumps(meta)),
            )
    return path


def _plain(v) -> bool:
    try:
        json.dumps(v)
        return True
    except TypeError:
        return False
