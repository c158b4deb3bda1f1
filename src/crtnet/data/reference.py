"""The reference label a dataset gives one record, for reports to show beside predictions.

A prediction alone cannot tell a reader whether it is right; when the record comes from a
labelled dataset on disk (PTB-XL: ``ptbxl_database.csv`` above the record file), its
cardiologists' label can be shown next to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_UP = 3  # records sit at ROOT/records500/00000/NNNNN_hr: the database is three levels up


def reference_label(path: str | Path | None) -> dict[str, Any] | None:
    """PTB-XL superdiagnostic reference of the record at ``path``; None when unknown."""
    if path is None:
        return None
    path = Path(path)
    try:
        ecg_id = int(path.name.split("_")[0].split(".")[0])
    except ValueError:
        return None
    for root in list(path.parents)[:MAX_UP]:
        if (root / "ptbxl_database.csv").is_file() and (root / "scp_statements.csv").is_file():
            return _ptbxl(root, ecg_id)
    return None


def _ptbxl(root: Path, ecg_id: int) -> dict[str, Any] | None:
    from crtnet.data.ptbxl import labels_for, load_database

    db, stmts = load_database([root])
    if ecg_id not in db.index:
        return None
    row = db.loc[[ecg_id]]
    codes = row["scp_codes"].iloc[0]
    return {
        "dataset": "PTB-XL",
        "ecg_id": ecg_id,
        "task": "superdiagnostic",
        "labels": labels_for(row, stmts, "superdiagnostic")[0],
        "scp_codes": ", ".join(f"{k} ({v:g}%)" for k, v in codes.items()),
        "strat_fold": int(row["strat_fold"].iloc[0]),
        "source": str(root / "ptbxl_database.csv"),
    }
