"""Serialising prediction results: one-line summaries, JSON and CSV files."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_path


def summary_line(res: dict[str, Any]) -> str:
    probs = ", ".join(f"{c} {p:.2f}" for c, p in res["probabilities"].items() if p is not None)
    line = f"{res['input']}: {', '.join(res['predicted']) or 'no class'} ({probs})"
    rhythm = res.get("rhythm") or {}
    if rhythm.get("heart_rate_bpm"):
        line += f"; HR {rhythm['heart_rate_bpm']:.0f} bpm"
    if rhythm.get("beat_counts"):
        line += "; beats " + " ".join(f"{c}:{n}" for c, n in rhythm["beat_counts"].items() if n)
    cart = (res.get("cart") or {}).get("measurements") or {}
    shown = [(k, label) for k, label in _CART_SHORT.items() if k in cart]
    if shown:
        line += "; cart: " + " ".join(f"{label} {cart[k]:g}" for k, label in shown)
    return line


_CART_SHORT = {
    "heart_rate_bpm": "HR",
    "pr_ms": "PR",
    "qrs_ms": "QRS",
    "qt_ms": "QT",
    "qtc_ms": "QTc",
}


def write_results(results: list[dict[str, Any]], path: str | Path) -> Path:
    """``.csv`` gets one row per input (probabilities as columns); anything else JSON."""
    path = Path(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".csv":
            classes = sorted({c for r in results for c in r["probabilities"]})
            with open(tmp, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(["input", "model", "predicted", *classes, "heart_rate_bpm", "error"])
                for r in results:
                    rhythm = r.get("rhythm") or {}
                    w.writerow(
                        [
                            r["input"],
                            (r["model"] or {}).get("name", ""),
                            ";".join(r["predicted"]),
                            *[r["probabilities"].get(c, "") for c in classes],
                            rhythm.get("heart_rate_bpm", ""),
                            r["error"] or "",
                        ]
                    )
        else:
            try:
                tmp.write_text(json.dumps(results, indent=2))
            except TypeError as exc:  # pragma: no cover - a result field that is not JSON
                raise CrtnetError(f"cannot serialise results: {exc}", path) from None
    return path
