"""A self-contained HTML report (images inlined) that a clinician can open anywhere."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import numpy as np

from crtnet.io.atomic import atomic_path
from crtnet.io.record import Record

_CSS = """
body{font-family:system-ui,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;
color:#222;line-height:1.4;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ddd;
padding-bottom:.2em;margin-top:1.6em}.muted{color:#666}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.3em .7em;text-align:left}th{background:#f5f5f5}
.bar{background:#e8eef8;width:220px;height:14px;position:relative}
.bar span{position:absolute;left:0;top:0;bottom:0;background:#3b6fd8}
.bar i{position:absolute;top:-2px;bottom:-2px;width:2px;background:#c00}
.pos{font-weight:600;color:#b00}img{max-width:100%;border:1px solid #ddd}
pre{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:.85em;white-space:pre-wrap}
.flag{display:inline-block;background:#fff3cd;border:1px solid #e0c36a;border-radius:3px;
padding:0 .4em;margin:0 .3em .3em 0}.ok{background:#e6f4ea;border-color:#8bc79b}
"""


def png_data_uri(image: np.ndarray | bytes) -> str:
    """RGB uint8 array or PNG bytes → ``data:`` URI, so the report is one file."""
    if isinstance(image, np.ndarray):
        import cv2

        ok, buf = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        if not ok:  # pragma: no cover - OpenCV failing to encode is a bug, not input
            raise RuntimeError("PNG encoding failed")
        image = buf.tobytes()
    return "data:image/png;base64," + base64.b64encode(image).decode("ascii")


def jpeg_data_uri(image: np.ndarray, quality: int = 85) -> str:
    """Photos of pages compress ~10x better as JPEG than PNG, keeping the report small."""
    import cv2

    bgr = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover
        raise RuntimeError("JPEG encoding failed")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def plot_leads(record: Record, title: str = "", *, max_seconds: float = 10.0) -> bytes:
    """Leads on ECG-paper axes (0.2 s / 0.5 mV major grid) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = record.n_leads
    cols = 2 if n > 6 else 1
    rows = int(np.ceil(n / cols))
    seconds = min(record.duration, max_seconds)
    fig, axes = plt.subplots(
        rows, cols, figsize=(12, 1.35 * rows + 0.6), squeeze=False, sharex=True
    )
    t = np.arange(int(seconds * record.fs)) / record.fs
    for k in range(rows * cols):
        ax = axes[k % rows][k // rows]
        if k >= n:
            ax.axis("off")
            continue
        y = record.signal[k, : t.size]
        ax.plot(t, y, color="k", lw=0.7)
        ax.set_xlim(0, seconds)
        finite = y[np.isfinite(y)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        ax.set_ylim(min(lo, -0.5) - 0.2, max(hi, 0.5) + 0.2)
        ax.set_xticks(np.arange(0, seconds + 1e-9, 0.2), minor=True)
        ax.set_yticks(np.arange(np.floor(lo) - 1, hi + 1, 0.5), minor=True)
        ax.grid(which="both", color="#f3b6b6", lw=0.4)
        ax.tick_params(labelsize=7)
        ax.text(0.005, 0.85, record.leads[k], transform=ax.transAxes, fontsize=9, fontweight="bold")
        if not finite.size:
            ax.text(0.5, 0.5, "not available", transform=ax.transAxes, ha="center", color="#999")
    for ax in axes[-1]:
        ax.set_xlabel("s", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return buf.getvalue()


def _prob_table(pred: dict[str, Any], reference: list[str] | None = None) -> str:
    rows = []
    thresholds = pred.get("thresholds") or {}
    for cls in pred["classes"]:
        p = float(pred["probabilities"][cls])
        thr = thresholds.get(cls)
        mark = f'<i style="left:{thr * 100:.1f}%"></i>' if thr is not None else ""
        is_pos = cls in pred["predicted"]
        rows.append(
            f"<tr><td class='{'pos' if is_pos else ''}'>{html.escape(cls)}</td>"
            f"<td>{p:.3f}</td><td><div class='bar'><span style='width:{p * 100:.1f}%'></span>"
            f"{mark}</div></td><td>{'' if thr is None else f'{thr:.2f}'}</td>"
            f"<td>{'yes' if is_pos else ''}</td>"
            + ("" if reference is None else f"<td>{'yes' if cls in reference else ''}</td>")
            + "</tr>"
        )
    return (
        "<table><tr><th>class</th><th>probability</th><th></th><th>threshold</th>"
        "<th>predicted</th>"
        + ("" if reference is None else "<th>reference</th>")
        + "</tr>"
        + "".join(rows)
        + "</table>"
    )


def _reference_line(pred: dict[str, Any], ref: dict[str, Any]) -> str:
    """The dataset's label beside this prediction, and plainly whether they agree."""
    want, got = set(ref["labels"]), set(pred["predicted"])
    if not set(pred["classes"]) >= want:
        verdict = "not comparable (different classes)"
    elif want == got:
        verdict = "<span class='flag ok'>agrees</span>"
    else:
        bits = [f"missed {', '.join(sorted(want - got))}"] if want - got else []
        bits += [f"extra {', '.join(sorted(got - want))}"] if got - want else []
        verdict = f"<span class='flag'>differs: {html.escape('; '.join(bits))}</span>"
    return (
        f"<p>Reference ({html.escape(ref['dataset'])} {html.escape(ref['task'])}, "
        f"record {ref['ecg_id']}): <b>{html.escape(', '.join(ref['labels']) or 'none')}</b> "
        f"{verdict}</p>"
    )


def measurement_rows(m: dict[str, Any]) -> dict[str, str]:
    """Clinical labels and units; a missing figure reads "n/a", never a blank."""

    def f(key: str, unit: str) -> str:
        v = m.get(key)
        return "n/a" if v is None else f"{v:.0f} {unit}"

    rows = {
        "Heart rate": f("heart_rate_bpm", "bpm"),
        "PR": f("pr_ms", "ms"),
        "QRS": f("qrs_ms", "ms"),
        "QT / QTc Bazett / QTc Fridericia": " / ".join(
            f(k, "ms") for k in ("qt_ms", "qtc_bazett_ms", "qtc_fridericia_ms")
        ),
        "P / QRS / T axis": " / ".join(
            f(k, "°") for k in ("p_axis_deg", "qrs_axis_deg", "t_axis_deg")
        ),
    }
    if m.get("notes"):
        rows["notes"] = "; ".join(m["notes"])
    return rows


def _kv_table(d: dict[str, Any]) -> str:
    cells = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in d.items()
    )
    return f"<table>{cells}</table>"


def build_report(
    *,
    title: str,
    subtitle: str,
    page_image: np.ndarray | None,
    record_png: bytes | None,
    predictions: list[dict[str, Any]],
    rhythm: dict[str, Any] | None,
    quality: dict[str, Any],
    model_cards: dict[str, str],
    timings: dict[str, float],
    cart: dict[str, Any] | None = None,
    reference: dict[str, Any] | None = None,
) -> str:
    """Assemble the report; every argument is already computed, so this only formats.

    ``reference`` (``crtnet.data.reference.reference_label``) is shown beside each
    prediction whose classes it shares.
    """
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p class='muted'>{html.escape(subtitle)}</p>"
    ]
    if reference:
        parts.append(
            "<h2>Reference label</h2>"
            + _kv_table(
                {
                    "dataset": reference["dataset"],
                    "record": reference["ecg_id"],
                    f"{reference['task']} label": ", ".join(reference["labels"]) or "none",
                    "SCP codes (likelihood)": reference["scp_codes"],
                    "source": Path(reference["source"]).name,
                }
            )
        )
    for pred in predictions:
        ref = reference if reference and set(reference["labels"]) <= set(pred["classes"]) else None
        parts.append(
            f"<h2>Diagnosis: {html.escape(pred['model']['name'])}</h2>"
            f"<p>Predicted: <b>{html.escape(', '.join(pred['predicted']) or 'none')}</b></p>"
            + (_reference_line(pred, reference) if ref else "")
            + _prob_table(pred, ref["labels"] if ref else None)
        )
    meas = next((p["measurements"] for p in predictions if p.get("measurements")), None)
    if meas:
        parts.append("<h2>Measurements</h2>" + _kv_table(measurement_rows(meas)))
    if rhythm:
        facts = {k: v for k, v in rhythm.items() if k not in ("r_peaks_s", "beat_labels")}
        parts.append("<h2>Rhythm</h2>" + _kv_table(facts))
    if cart:
        parts.append(_cart_block(cart, rhythm))
    flags = quality.get("flags", [])
    parts.append(
        "<h2>Quality</h2>"
        + (
            "".join(f"<span class='flag'>{html.escape(f)}</span>" for f in flags)
            or "<span class='flag ok'>no quality problems found</span>"
        )
        + _kv_table({k: v for k, v in quality.items() if k != "flags"})
    )
    if page_image is not None:
        parts.append(
            "<h2>Printout with extracted traces</h2>"
            f"<img alt='page with overlay' src='{jpeg_data_uri(page_image)}'>"
        )
    if record_png is not None:
        parts.append(
            f"<h2>Digitized signals</h2><img alt='signals' src='{png_data_uri(record_png)}'>"
        )
    parts.append("<h2>Timings</h2>" + _kv_table({k: f"{v:.2f} s" for k, v in timings.items()}))
    for name, card in model_cards.items():
        parts.append(f"<h2>Model card: {html.escape(name)}</h2><pre>{html.escape(card)}</pre>")
    parts.append(
        "<p class='muted'>crtnet is research software, not a medical device. "
        "Probabilities are model outputs, not a clinical diagnosis.</p></body></html>"
    )
    return "\n".join(parts)


def _cart_block(cart: dict[str, Any], rhythm: dict[str, Any] | None) -> str:
    """What the ECG cart itself measured and printed, beside crtnet's figure where it has one."""
    from crtnet.io.cart import MEASUREMENT_KEYS, unit_of

    ours = {"heart_rate_bpm": (rhythm or {}).get("heart_rate_bpm")}
    rows = "".join(
        f"<tr><th>{html.escape(MEASUREMENT_KEYS[k])} ({unit_of(k)})</th><td>{v:g}</td>"
        f"<td>{'' if ours.get(k) is None else f'{ours[k]:.0f}'}</td></tr>"
        for k, v in (cart.get("measurements") or {}).items()
    )
    stmts = "".join(f"<li>{html.escape(s)}</li>" for s in cart.get("statements") or [])
    device = html.escape(str(cart.get("device") or "the recording device"))
    return (
        f"<h2>Cart's own measurements ({device})</h2>"
        f"<table><tr><th></th><th>cart</th><th>crtnet</th></tr>{rows}</table>"
        + (f"<p>Cart's statements:</p><ul>{stmts}</ul>" if stmts else "")
    )


def write_report(text: str, path: str | Path) -> Path:
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
