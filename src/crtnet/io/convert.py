"""Any readable ECG file → WFDB, CSV or EDF, with the cart's measurements in a sidecar.

The sidecar (``NAME.json``) is written last, so its presence means the conversion is
complete: a batch that is rerun can skip those inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crtnet.errors import CrtnetError
from crtnet.io.record import Record

TARGETS = {"wfdb": ".hea", "csv": ".csv", "edf": ".edf"}


def output_stem(path: str | Path) -> str:
    p = Path(path)
    return p.with_suffix("").name if p.suffix.lower() in (".hea", ".dat") else p.stem


def read_for_convert(path: str | Path, *, median: bool = False, strict_leads: bool = True):
    """The rhythm record, or with ``median`` the cart's median beat."""
    from crtnet.io import detect_format, read_record
    from crtnet.io.formats import READERS, read_vendor

    if not median:
        return read_record(path, strict_leads=strict_leads)
    fmt = detect_format(path)
    if fmt not in READERS or not READERS[fmt].has_median:
        raise CrtnetError(f"{fmt} files hold no median beat", path)
    return read_vendor(path, fmt, waveform="median", strict_leads=strict_leads)


def write_converted(rec: Record, base: str | Path, to: str) -> Path:
    """Signal first, sidecar last (both atomic); returns the signal file's path."""
    from crtnet.io import write_record
    from crtnet.io.atomic import atomic_path
    from crtnet.io.edf_io import write_edf

    if to not in TARGETS:
        raise CrtnetError(f"--to must be one of {', '.join(TARGETS)}, not {to!r}")
    base = Path(base)
    base.parent.mkdir(parents=True, exist_ok=True)
    if to == "edf":
        written = write_edf(rec, base.with_name(base.name + ".edf"))
    elif to == "csv":
        written = write_record(rec, base.with_name(base.name + ".csv"), "csv")
    else:
        written = write_record(rec, base, "wfdb")
    with atomic_path(base.with_name(base.name + ".json")) as tmp:
        tmp.write_text(json.dumps(sidecar(rec, written), indent=2, ensure_ascii=False))
    return written


def convert_file(
    path: str | Path,
    to: str,
    out_dir: str | Path,
    *,
    median: bool = False,
    strict_leads: bool = True,
) -> Path:
    """Read ``path`` and write ``out_dir/STEM.{hea,csv,edf}`` plus ``STEM.json``."""
    rec = read_for_convert(path, median=median, strict_leads=strict_leads)
    return write_converted(rec, Path(out_dir) / output_stem(path), to)


def sidecar(rec: Record, written: Path) -> dict[str, Any]:
    meta = {k: v for k, v in rec.meta.items() if k != "cart"}
    return {
        "source": rec.source,
        "converted_to": written.name,
        "leads": rec.leads,
        "fs": rec.fs,
        "n_samples": rec.n_samples,
        "units": rec.units,
        "cart": rec.meta.get("cart", {}),
        "meta": json.loads(json.dumps(meta, default=str)),
    }
