"""From a page's trace rows to 12 leads: calibration, layout, assembly and the checks."""

from __future__ import annotations

import time

import numpy as np

from crtnet.digitize import checks, denoise, labels
from crtnet.digitize import layout as lay
from crtnet.errors import CrtnetError

PULSE_OUTLIER = 0.2  # a pulse this far (relative) from the page's median height: its base is redone


def read(traces, px_info, curves, image, layout, fs, path, timings):
    """Calibration, layout and the assembled 12 leads from a page's trace rows.

    A header line, a footer or the page's edge can pass for a trace row at the top or the
    bottom of the page. When the reading with every row fails or is flagged, readings
    without one or two outermost rows are tried; the first that passes every check is
    kept (dropping a row must not win merely by removing a check that failed). Failing
    that, the flagged reading with the fewest failed checks is kept, still flagged."""
    import copy

    def attempt(keep):
        rows = [copy.copy(traces[i]) for i in keep]
        got = _read_rows(rows, px_info, [curves[i] for i in keep], image, layout, fs, path, timings)
        return got

    n = len(traces)
    first_err = None
    flagged_best = None
    had_repeat = False
    try:
        best = attempt(range(n))
        if not best[-1]["flagged"] or layout != "auto":
            return best
        had_repeat = best[-1]["checks"]["repeat"]["ok"] is not None
    except CrtnetError as exc:
        if layout != "auto" or n < 4:
            raise
        best, first_err = None, exc
    subsets = [range(1, n), range(0, n - 1), range(1, n - 1), range(2, n), range(0, n - 2)]
    for keep in subsets:  # most rows first
        if len(keep) < 3:
            continue
        try:
            got = attempt(keep)
        except CrtnetError:
            continue
        repeat = got[-1]["checks"]["repeat"]["ok"]
        # a strip's repeat check that failed must pass, not vanish with the dropped row
        # (ink the curves miss, or a noisy strip, says how well they were traced, not
        # which rows are rows)
        if set(got[-1]["failed"]) <= {"ink_explained", "fidelity"} and (
            repeat is True or not had_repeat
        ):
            return got
        # otherwise a flagged reading may still beat the full one: fewer checks failing,
        # and a strip's repeat check (when the full reading had one) still judged
        if (repeat is not None or not had_repeat) and (
            flagged_best is None or _fewer(got, flagged_best)
        ):
            flagged_best = got
    if best is None and flagged_best is None:
        raise first_err
    if flagged_best is not None and (best is None or _fewer(flagged_best, best)):
        return flagged_best
    return best


def pulse_bases(traces) -> list[dict]:
    """The rows' pulses, where one much lower or taller than the page's others (at least
    three) takes its 0 mV from its top and the page's pulse height: its foot was read on
    the QRS that follows it, or on a fold (photo 02190's strip sat 0.46 mV low, which the
    classifier took for CD). The rows are an attempt's copies: new dicts, never in place."""
    pulses = [t.pulse for t in traces if t.pulse]
    if len(pulses) < 3:
        return pulses
    h = float(np.median([p["height_mm"] for p in pulses]))
    for t in traces:
        p = t.pulse
        if p and abs(p["height_mm"] / h - 1) > PULSE_OUTLIER:
            t.pulse = {**p, "base_y": p["base_y"] - p["height_mm"] + h, "base_from": "page"}
    return [t.pulse for t in traces if t.pulse]


def _fewer(a, b) -> bool:
    return len(a[-1]["failed"]) < len(b[-1]["failed"])


def _read_rows(traces, px_info, curves, image, layout, fs, path, timings):
    t1 = time.perf_counter()
    speed, gain, calib = 25.0, 10.0, "assumed"
    pulses = pulse_bases(traces)
    if pulses:
        g = lay.snap(float(np.median([p["height_mm"] for p in pulses])), (5.0, 10.0, 20.0))
        s = lay.snap(float(np.median([p["width_mm"] for p in pulses])) / 0.2, (25.0, 50.0))
        if g:
            gain, calib = g, "found"
        if s:
            speed = s
    lay.anchor_rows(traces, speed)
    name = lay.choose_layout(traces, layout, speed, path)
    sig, conf, entries = lay.assemble(
        traces, name, speed, gain, fs, detail=not px_info.get("exact", False)
    )
    if not np.isfinite(sig).any():
        raise CrtnetError("no ECG trace could be followed on this page", path)
    sigma = 0.0
    if not px_info.get("exact", False):
        sigma = denoise.choose_sigma(denoise.repeat_pairs(entries, speed, gain, fs), fs)
        if sigma > 0:
            sig = np.stack([denoise.smooth(row, sigma) for row in sig]).astype(sig.dtype)
    px_info = {**px_info, "smoothing_ms": round(1000 * sigma / fs, 2)}
    size = px_info.get("page_mm") or [v / px_info["px_per_mm"] for v in px_info["image_size"]]
    found = (
        labels.read_labels(image, px_info["px_per_mm"], entries, speed, traces, curves)
        if image is not None and image.ndim == 3
        else []
    )
    chk = checks.run(
        entries,
        speed,
        gain,
        fs,
        sig,
        calib,
        pulses,
        tuple(size),
        conf,
        px_info.get("grid_nonuniformity"),
        px_info.get("unexplained_ink"),
        labels.check(found),
    )
    chk["labels"] = found
    timings["assemble"] = time.perf_counter() - t1
    return traces, px_info, curves, image, sig, conf, entries, name, speed, gain, calib, pulses, chk
