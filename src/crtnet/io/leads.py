"""Lead-name normalisation and derived limb leads.

Devices spell leads many ways (``avr``, ``AVR``, ``MLII``, ``V1 ``, ``ECG1``); everything
downstream relies on one canonical spelling so lead order can be matched by name.
"""

from __future__ import annotations

import numpy as np

from crtnet.errors import CrtnetError

STANDARD_12 = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]
CABRERA_12 = ["aVL", "I", "-aVR", "II", "aVF", "III", "V1", "V2", "V3", "V4", "V5", "V6"]
HOLTER = ["MLI", "MLII", "MLIII", "V1", "V2", "V3", "V4", "V5", "V6", "D3", "D4", "CM5"]

_ALIASES = {
    "i": "I",
    "ii": "II",
    "iii": "III",
    "avr": "aVR",
    "avl": "aVL",
    "avf": "aVF",
    "lead i": "I",
    "lead ii": "II",
    "lead iii": "III",
    "d1": "I",
    "d2": "II",
    "-avr": "-aVR",
    "mli": "MLI",
    "mlii": "MLII",
    "mliii": "MLIII",
    "ml2": "MLII",
    "cm5": "CM5",
    "d3": "D3",
    "d4": "D4",
}
# extra chest leads (right-sided, posterior) that carts record, e.g. SCP-ECG paediatric sets
EXTRA_CHEST = [f"V{k}R" for k in range(2, 8)] + ["V7", "V8", "V9"]
_ALIASES.update({name.lower(): name for name in EXTRA_CHEST})
_KNOWN = set(STANDARD_12) | set(HOLTER) | {"-aVR"} | set(EXTRA_CHEST)


def normalize_lead(name: str, *, strict: bool = True) -> str:
    """Canonical spelling of a lead name; unknown names raise unless ``strict`` is off."""
    key = " ".join(str(name).strip().split()).lower()
    if key in _ALIASES:
        return _ALIASES[key]
    if len(key) == 2 and key[0] == "v" and key[1] in "123456":
        return key.upper()
    if key.startswith("lead ") and key[5:] in _ALIASES:
        return _ALIASES[key[5:]]
    if strict:
        raise CrtnetError(f"unknown lead name {name!r} (expected one of {', '.join(STANDARD_12)})")
    return str(name).strip()


def normalize_leads(names: list[str], *, strict: bool = True) -> list[str]:
    out = [normalize_lead(n, strict=strict) for n in names]
    dup = {n for n in out if out.count(n) > 1}
    if dup:
        raise CrtnetError(f"duplicate lead(s) {sorted(dup)}")
    return out


def derive_limb_leads(signal: np.ndarray, leads: list[str]) -> tuple[np.ndarray, list[str]]:
    """Add III, aVR, aVL, aVF from I and II (Einthoven/Goldberger) where they are missing.

    Leads that are already present are kept as recorded, never overwritten.
    """
    if "I" not in leads or "II" not in leads:
        raise CrtnetError("deriving limb leads needs leads I and II")
    lead_i = signal[leads.index("I")]
    lead_ii = signal[leads.index("II")]
    derived = {
        "III": lead_ii - lead_i,
        "aVR": -(lead_i + lead_ii) / 2,
        "aVL": lead_i - lead_ii / 2,
        "aVF": lead_ii - lead_i / 2,
    }
    rows, names = list(signal), list(leads)
    for name, values in derived.items():
        if name not in names:
            rows.append(values.astype(np.float32))
            names.append(name)
    order = sorted(range(len(names)), key=lambda k: _order_key(names[k], k))
    return np.stack([rows[k] for k in order]).astype(np.float32), [names[k] for k in order]


def _order_key(name: str, k: int) -> tuple[int, int]:
    return (STANDARD_12.index(name), 0) if name in STANDARD_12 else (len(STANDARD_12), k)
