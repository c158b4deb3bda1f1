"""CSV records: one column per lead (header = lead names), an optional time column."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_path
from crtnet.io.leads import normalize_leads
from crtnet.io.limits import Limits, check_regular_file
from crtnet.io.record import Record

_TIME_COLUMNS = {"time": 1.0, "t": 1.0, "time_s": 1.0, "seconds": 1.0, "time_ms": 1e-3, "ms": 1e-3}
_UNIT = re.compile(r"^(.*?)\s*[\(\[]\s*(mv|uv|µv|μv|v)\s*[\)\]]\s*$", re.IGNORECASE)
_SCALE = {"mv": 1.0, "uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "v": 1e3}


def _precheck(path: Path) -> None:
    """Columns, duplicate names, separator and size, from the first lines only."""
    limits = Limits.current()
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    lines = [ln for ln in head.splitlines() if ln.strip() and not ln.lstrip().startswith(b"#")]
    if not lines:
        return  # pandas says "no columns" better than we could
    header = lines[0].decode("utf-8", errors="replace")
    n_cols = header.count(",") + 1
    if n_cols > limits.max_csv_columns:
        raise CrtnetError(
            f"CSV has {n_cols} columns, over the cap of {limits.max_csv_columns} "
            "(CRTNET_MAX_CSV_COLUMNS)",
            path,
        )
    if n_cols == 1 and (";" in header or "\t" in header):
        sep = "';'" if ";" in header else "tabs"
        raise CrtnetError(f"CSV uses {sep} as separator; crtnet reads comma-separated files", path)
    names = [c.strip().strip('"') for c in next(csv.reader([header]))]
    seen = set()
    for name in names:
        if name in seen and name:
            raise CrtnetError(f"duplicate column name {name!r}", path)
        seen.add(name)
    size = os.path.getsize(path)
    body = lines[1:] or lines
    per_row = max(1.0, sum(len(x) + 1 for x in body) / len(body))
    est = (size / per_row) * n_cols
    if len(head) < size and est > limits.max_samples:
        rows = int(size / per_row)
        raise CrtnetError(
            f"CSV holds about {rows:,} rows x {n_cols} columns, over the cap of "
            f"{limits.max_samples:,} samples x leads (--max-samples or CRTNET_MAX_SAMPLES)",
            path,
        )


def read_csv(path: str | Path, *, fs: float | None = None, strict_leads: bool = True) -> Record:
    path = check_regular_file(path)
    _precheck(path)
    try:
        df = pd.read_csv(path, comment="#", skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CrtnetError(f"not a readable CSV: {str(exc).splitlines()[0]}", path) from None
    if df.empty or df.shape[1] == 0:
        raise CrtnetError("CSV holds no samples", path)
    time_col = next((c for c in df.columns if str(c).strip().lower() in _TIME_COLUMNS), None)
    names, scales, columns = [], [], []
    for col in df.columns:
        if col == time_col:
            continue
        m = _UNIT.match(str(col))
        names.append(m.group(1) if m else str(col))
        scales.append(_SCALE[m.group(2).lower()] if m else 1.0)
        columns.append(col)
    if not columns:
        raise CrtnetError("CSV has no lead columns", path)
    values = df[columns].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() & df[columns].notna()
    if bad.to_numpy().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise CrtnetError(
            f"non-numeric value {df[columns].iat[row, col]!r} in column {columns[col]!r} "
            f"at data row {row + 1}",
            path,
        )
    with np.errstate(over="ignore", invalid="ignore"):  # 1e40 → inf, refused by Record
        signal = values.to_numpy(dtype=np.float32).T * np.asarray(scales, np.float32)[:, None]
    if time_col is not None:
        t = pd.to_numeric(df[time_col], errors="coerce").to_numpy(np.float64)
        t = t * _TIME_COLUMNS[str(time_col).strip().lower()]
        dt = np.diff(t)
        if len(t) < 2 or not np.all(np.isfinite(dt)) or np.median(dt) <= 0:
            raise CrtnetError(f"time column {time_col!r} is not increasing", path)
        inferred = 1.0 / float(np.median(dt))
        if fs is not None and abs(inferred - fs) / fs > 0.01:
            raise CrtnetError(f"time column says {inferred:.3f} Hz but fs={fs} was given", path)
        if np.max(np.abs(dt - np.median(dt))) > 0.01 * np.median(dt) + 1e-9:
            raise CrtnetError("time column is not evenly spaced", path)
        fs = fs or round(inferred, 6)
    if fs is None:
        raise CrtnetError("no time column, so the sampling rate is unknown; pass --fs", path)
    try:
        leads = normalize_leads(names, strict=strict_leads)
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    return Record.checked(
        path, signal=signal, fs=fs, leads=leads, record_id=path.stem, source=str(path)
    )


def write_csv(record: Record, path: str | Path, *, time_column: bool = True) -> Path:
    """Six decimals of mV (1 nV): far below any ADC step, so lossless in practice."""
    path = Path(path)
    data = {}
    if time_column:
        data["time_s"] = np.arange(record.n_samples) / record.fs
    for name, row in zip(record.leads, record.signal, strict=True):
        data[name] = row
    with atomic_path(path) as tmp:
        pd.DataFrame(data).to_csv(tmp, index=False, float_format="%.6f")
    return path
