"""NumPy ``.npz`` records: exact float32 samples plus JSON metadata, never pickles."""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_path
from crtnet.io.leads import normalize_leads
from crtnet.io.limits import check_regular_file, check_samples
from crtnet.io.record import Record

# arrays other than the signal are small; a bigger one is a hostile file
_SMALL = {"fs": 1, "leads": 4096, "meta": 1}


def read_npz(path: str | Path, *, strict_leads: bool = True) -> Record:
    path = check_regular_file(path)
    try:
        shapes = _declared_shapes(path)
        if "signal" not in shapes or "fs" not in shapes:
            raise CrtnetError(f"npz lacks 'signal'/'fs' arrays (has {sorted(shapes)})", path)
        for name, cap in _SMALL.items():
            if name in shapes and int(np.prod(shapes[name][0])) > cap:
                raise CrtnetError(f"'{name}' must be a scalar or short array", path)
        shape, dtype = shapes["signal"]
        if len(shape) != 2 or dtype.kind not in "iuf":
            raise CrtnetError(
                f"'signal' must be a real numeric [leads, samples] array, "
                f"got {dtype} of shape {shape}",
                path,
            )
        check_samples(shape[0], shape[1], path)
        with np.load(path, allow_pickle=False) as z:
            fs_arr = z["fs"]
            if fs_arr.size != 1 or fs_arr.dtype.kind not in "iuf":
                raise CrtnetError(
                    f"'fs' must be one number, got {fs_arr.dtype} {fs_arr.shape}", path
                )
            fs = float(fs_arr.reshape(()))
            leads = [str(x) for x in np.atleast_1d(z["leads"])] if "leads" in z else None
            meta = json.loads(str(z["meta"])) if "meta" in z else {}
            signal = z["signal"]
    except CrtnetError:
        raise
    except (
        OSError,
        ValueError,
        zipfile.BadZipFile,
        EOFError,
        KeyError,
        TypeError,
        zlib.error,
        NotImplementedError,
        OverflowError,
    ) as exc:
        raise CrtnetError(f"unreadable npz: {exc}", path) from None
    if not isinstance(meta, dict):
        raise CrtnetError(f"'meta' must be a JSON object, got {type(meta).__name__}", path)
    labels = meta.pop("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise CrtnetError("'meta.labels' must be a list of strings", path)
    for key in ("record_id", "patient_id", "units"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise CrtnetError(f"'meta.{key}' must be a string", path)
    if not isinstance(meta.get("meta", {}), dict):
        raise CrtnetError("'meta.meta' must be a JSON object", path)
    if leads is None:
        leads = [f"ch{i}" for i in range(signal.shape[0])]
        strict_leads = False
    try:
        leads = normalize_leads(leads, strict=strict_leads)
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    return Record.checked(
        path,
        signal=signal,
        fs=fs,
        leads=leads,
        record_id=meta.pop("record_id", path.stem),
        patient_id=meta.pop("patient_id", None),
        labels=labels,
        source=str(path),
        units=meta.pop("units", "mV"),
        meta=meta.pop("meta", {}),
    )


def _declared_shapes(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Each member's shape and dtype from its ``.npy`` header, without reading its data."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with zf.open(info) as fh:
                version = np.lib.format.read_magic(fh)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
                else:
                    shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
            out[info.filename[:-4]] = (tuple(int(n) for n in shape), dtype)
    return out


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
