"""Header text of a page: what a cart prints above the traces.

Facts come from the record (age, sex in its header) or, for a PTB-XL record, from the
``ptbxl_database.csv`` of its tree (age, sex, device, recording date). Nothing is invented:
a fact that is not known is left out.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from crtnet.io.record import Record


@lru_cache(maxsize=4)
def _ptbxl_table(csv_path: str) -> dict[str, dict[str, str]]:
    with open(csv_path, newline="") as fh:
        return {row["ecg_id"]: row for row in csv.DictReader(fh)}


def ptbxl_facts(record: Record) -> dict[str, str]:
    """Row of ptbxl_database.csv for a record read from a PTB-XL tree, else {}."""
    if not record.source or not record.record_id[:5].isdigit():
        return {}
    src = Path(record.source)
    for up in src.parents[:4]:
        db = up / "ptbxl_database.csv"
        if db.is_file():
            try:
                return _ptbxl_table(str(db)).get(str(int(record.record_id[:5])), {})
            except (OSError, KeyError, csv.Error, UnicodeDecodeError):
                return {}
    return {}


def header_lines(record: Record, speed: float, gain: float) -> list[str]:
    facts = ptbxl_facts(record)
    age = record.meta.get("age") or facts.get("age")
    sex = record.meta.get("sex") or {"0": "M", "1": "F"}.get(facts.get("sex", ""))
    who = [f"ID: {record.record_id or '?'}"]
    if age not in (None, ""):
        who.append(
            f"Age: {int(float(age))}" if str(age).replace(".", "").isdigit() else f"Age: {age}"
        )
    if sex:
        who.append(f"Sex: {sex}")
    if facts.get("recording_date"):
        who.append(facts["recording_date"])
    device = " ".join(facts.get("device", "").split())
    filt = record.meta.get("filter", "none (as recorded)")
    second = f"{speed:g} mm/s    {gain:g} mm/mV    {record.fs:g} Hz    Filter: {filt}"
    if device:
        second += f"    {device}"
    return ["    ".join(who), second]
