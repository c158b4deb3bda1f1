"""EDF / EDF+ (and BDF) through edfio: the ECG channels, in their physical units.

EDF files from sleep labs and monitors mix ECG with EEG, SpO2 and annotations; only the
channels whose label names an ECG lead (``ECG I``, ``EKG V2``, ``II``...) or whose unit
is a voltage and whose label says ECG are kept, at the most common rate among them.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_path
from crtnet.io.leads import normalize_lead
from crtnet.io.record import Record

MAX_BYTES = 512 * 1024 * 1024
MAX_SAMPLES = 100_000_000  # 24 h of 3 leads at 360 Hz is 93 M
_TO_MV = {"uv": 1e-3, "µv": 1e-3, "μv": 1e-3, "mv": 1.0, "v": 1e3, "nv": 1e-6}
_PREFIX = re.compile(r"^(ecg|ekg)[\s_:.-]*", re.I)


def _lead_of(label: str) -> tuple[str | None, bool]:
    """(lead name, is_ecg) for an EDF channel label."""
    stripped = _PREFIX.sub("", label.strip())
    is_ecg = stripped != label.strip()
    try:
        return normalize_lead(stripped), True
    except CrtnetError:
        return (stripped or label.strip(), True) if is_ecg else (None, False)


def read_edf(path: str | Path, *, strict_leads: bool = True) -> Record:
    import edfio

    path = Path(path)
    if not path.is_file():
        raise CrtnetError("file not found", path)
    if path.stat().st_size > MAX_BYTES:
        raise CrtnetError(f"file is over the {MAX_BYTES // 2**20} MB limit", path)
    try:
        edf = edfio.read_edf(path, lazy_load_data=True)
        signals = list(edf.signals)
    except Exception as exc:  # edfio raises ValueError, IndexError... on a bad header
        raise CrtnetError(f"unreadable EDF: {exc}", path) from None
    picked = []
    for sig in signals:
        name, is_ecg = _lead_of(sig.label)
        unit = sig.physical_dimension.strip().lower()
        if is_ecg and unit in _TO_MV:
            picked.append((name, sig, _TO_MV[unit]))
    if not picked:
        labels = ", ".join(s.label for s in signals) or "none"
        raise CrtnetError(f"no ECG channel with a voltage unit (channels: {labels})", path)
    fs = Counter(s.sampling_frequency for _, s, _ in picked).most_common(1)[0][0]
    picked = [p for p in picked if p[1].sampling_frequency == fs]
    total = len(picked) * fs * edf.duration
    if total > MAX_SAMPLES:
        raise CrtnetError(
            f"{len(picked)} ECG channels x {edf.duration:.0f} s is over the "
            f"{MAX_SAMPLES:,} sample limit (a Holter? split it first)",
            path,
        )
    try:
        rows = [sig.data.astype(np.float64) * scale for _, sig, scale in picked]
    except Exception as exc:
        raise CrtnetError(f"unreadable EDF data: {exc}", path) from None
    n = min(len(r) for r in rows)
    names = [name for name, _, _ in picked]
    try:
        names = [normalize_lead(x, strict=strict_leads) for x in names]
        rec = Record(
            np.stack([r[:n] for r in rows]), fs, names, record_id=path.stem, source=str(path)
        )
    except CrtnetError as exc:
        raise CrtnetError(exc.problem, path) from None
    rec.meta["format"] = "edf"
    return rec


def write_edf(record: Record, path: str | Path) -> Path:
    """One mV channel per lead; NaN gaps become 0 (EDF has no missing-value marker)."""
    import edfio

    path = Path(path)
    sig = np.nan_to_num(record.signal.astype(np.float64), nan=0.0)
    fs, n = record.fs, sig.shape[1]
    duration = _record_duration(fs, n)
    if duration is None:  # no exact record length: pad the end with zeros to whole seconds
        duration = 1.0 if float(fs).is_integer() else 1.0 / fs * round(fs)
        per = int(round(fs * duration))
        sig = np.pad(sig, ((0, 0), (0, -n % per)))
    signals = []
    for name, row in zip(record.leads, sig, strict=True):
        lo, hi = float(row.min()), float(row.max())
        if hi - lo < 1e-6:
            lo, hi = lo - 1.0, hi + 1.0
        signals.append(
            edfio.EdfSignal(
                row, fs, label=f"ECG {name}", physical_dimension="mV", physical_range=(lo, hi)
            )
        )
    edf = edfio.Edf(signals, data_record_duration=duration)
    with atomic_path(path) as tmp:
        edf.write(tmp)
    return path


def _record_duration(fs: float, n: int) -> float | None:
    """A data-record length (s) that divides the signal exactly, so nothing is padded.

    EDF writes the length in an 8-character field, so only short decimals qualify.
    """
    candidates = (1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.04, 0.02, 0.01, n / fs, 1 / fs)
    for d in candidates:
        per = fs * d
        text = f"{d:.8g}"
        if len(text) > 8 or abs(float(text) * fs - round(per)) > 1e-6:
            continue
        if round(per) > 0 and n % round(per) == 0:
            return float(text)
    return None
