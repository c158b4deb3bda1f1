"""The cart's own measurements and statements, in one schema whatever the file format.

Readers put them in ``Record.meta["cart"]``::

    {"device": "MAC5500", "measurements": {"heart_rate_bpm": 65, "pr_ms": 184, ...},
     "statements": ["Sinus rhythm", ...], "median_beat": {"fs": 500, "n_samples": 600}}

Only keys the file actually holds are present; values are plain numbers in the units the
key names (bpm, ms, degrees). A cart's "not measured" markers (29999, 'Failed') are dropped,
never turned into numbers.
"""

from __future__ import annotations

from typing import Any

MEASUREMENT_KEYS = {
    "heart_rate_bpm": "ventricular rate",
    "atrial_rate_bpm": "atrial rate",
    "rr_ms": "RR interval",
    "pr_ms": "PR interval",
    "qrs_ms": "QRS duration",
    "qt_ms": "QT interval",
    "qtc_ms": "QTc (cart's formula)",
    "qtcf_ms": "QTc Fridericia",
    "p_axis_deg": "P axis",
    "qrs_axis_deg": "QRS axis",
    "t_axis_deg": "T axis",
}

_ORDER = {k: i for i, k in enumerate(MEASUREMENT_KEYS)}


def cart_meta(
    measurements: dict[str, float | None],
    statements: list[str] | None = None,
    device: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Build ``meta["cart"]`` from what a reader found, dropping missing values."""
    meas = {}
    for key, value in sorted(measurements.items(), key=lambda kv: _ORDER.get(kv[0], 99)):
        if key not in MEASUREMENT_KEYS:
            raise KeyError(f"not a cart measurement key: {key}")
        if value is None:
            continue
        v = float(value)
        meas[key] = int(v) if v.is_integer() else round(v, 3)
    out: dict[str, Any] = {"measurements": meas}
    stmts = [" ".join(s.split()) for s in statements or [] if s and s.strip()]
    if stmts:
        out["statements"] = stmts
    if device:
        out["device"] = device
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


def format_cart(cart: dict[str, Any] | None) -> list[str]:
    """Human lines for ``crtnet info`` and reports; empty when the file had nothing."""
    if not cart:
        return []
    lines = []
    meas = cart.get("measurements") or {}
    if meas:
        lines.append(
            "cart measurements: "
            + ", ".join(f"{MEASUREMENT_KEYS[k]} {v:g}{_unit(k)}" for k, v in meas.items())
        )
    for s in cart.get("statements") or []:
        lines.append(f"cart statement: {s}")
    return lines


def unit_of(key: str) -> str:
    """'ms', 'bpm' or '°' for a measurement key."""
    unit = key.rsplit("_", 1)[1]
    return "°" if unit == "deg" else unit


def _unit(key: str) -> str:
    return "°" if key.endswith("_deg") else f" {unit_of(key)}"
