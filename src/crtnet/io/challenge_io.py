"""PhysioNet/CinC Challenge 2020/2021 records: MATLAB v4 ``val`` (ADC units) + ``.hea``.

This is the format of CPSC2018 and every 2020/2021 challenge source; labels are SNOMED-CT
codes on the header's ``#Dx:`` line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_dir
from crtnet.io.limits import check_regular_file, check_samples
from crtnet.io.record import Record
from crtnet.io.wfdb_io import parse_comments, read_header, record_from_header

_NUMERIC = {
    "double",
    "single",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "logical",
}


def read_challenge(path: str | Path, *, strict_leads: bool = True) -> Record:
    base = Path(path).with_suffix("")
    header = read_header(base)
    mat = base.parent / (header.file_name[0] if header.file_name else f"{base.name}.mat")
    if not mat.exists():
        raise CrtnetError("signal file is missing", mat)
    check_regular_file(mat)
    try:
        # the variable's class and size come from its header, before any data is read
        found = {name: (shape, cls) for name, shape, cls in scipy.io.whosmat(str(mat))}
        if "val" not in found:
            raise CrtnetError("MATLAB file has no 'val' array", mat)
        shape, cls = found["val"]
        if cls not in _NUMERIC or len(shape) != 2:
            raise CrtnetError(f"'val' must be a numeric matrix, not a {cls} of shape {shape}", mat)
        check_samples(shape[0], shape[1], mat)
        val = scipy.io.loadmat(str(mat), variable_names=["val"])["val"]
    except CrtnetError:
        raise
    except Exception as exc:
        raise CrtnetError(f"unreadable MATLAB file: {exc}", mat) from None
    if val.dtype.kind not in "biuf":
        raise CrtnetError(f"'val' must hold real numbers, not {val.dtype}", mat)
    val = np.atleast_2d(np.asarray(val, dtype=np.float64))
    if val.shape[0] != header.n_sig:
        raise CrtnetError(
            f"header lists {header.n_sig} leads but 'val' has {val.shape[0]} rows", mat
        )
    if header.sig_len is not None and val.shape[1] != header.sig_len:
        raise CrtnetError(
            f"header says {header.sig_len} samples per lead but 'val' has {val.shape[1]}", mat
        )
    gains = np.array([g or 200.0 for g in header.adc_gain], dtype=np.float64)[:, None]
    baselines = np.array(header.baseline or [0] * header.n_sig, dtype=np.float64)[:, None]
    scale = np.array(
        [1e-3 if str(u).lower() in ("uv", "µv", "μv") else 1.0 for u in header.units], np.float64
    )[:, None]
    signal = ((val - baselines) / gains * scale).astype(np.float32)
    labels, patient_id, meta = parse_comments(list(header.comments or []))
    meta.update(adc_gain=gains.ravel().tolist(), baseline=baselines.ravel().astype(int).tolist())
    return record_from_header(signal, header, base, strict_leads, labels, patient_id, meta)


def write_challenge(record: Record, path: str | Path, *, gain: float = 1000.0) -> Path:
    """Write ``NAME.mat`` (int16, v4) and ``NAME.hea`` the way the challenges shipped them."""
    base = Path(path).with_suffix("")
    name = base.name
    val = np.round(np.nan_to_num(record.signal, nan=0.0).astype(np.float64) * gain)
    val = np.clip(val, -32767, 32767).astype(np.int16)
    lines = [f"{name} {record.n_leads} {record.fs:g} {record.n_samples}"]
    for lead, row in zip(record.leads, val, strict=True):
        checksum = int(row.astype(np.int64).sum()) % 65536
        checksum = checksum - 65536 if checksum > 32767 else checksum
        lines.append(f"{name}.mat 16+24 {gain:g}/mV 16 0 {int(row[0])} {checksum} 0 {lead}")
    lines.append(f"#Age: {record.meta.get('age', 'Unknown')}")
    lines.append(f"#Sex: {record.meta.get('sex', 'Unknown')}")
    lines.append(f"#Dx: {','.join(record.labels)}")
    lines += ["#Rx: Unknown", "#Hx: Unknown", "#Sx: Unknown"]
    with atomic_dir(base.parent) as tmp:
        scipy.io.savemat(str(tmp / f"{name}.mat"), {"val": val}, format="4")
        (tmp / f"{name}.hea").write_text("\n".join(lines) + "\n")
    return Path(f"{base}.hea")
