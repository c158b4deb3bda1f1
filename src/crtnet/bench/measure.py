"""``crtnet bench measure``: how close the global measurements are to known values.

Three references, none of them crtnet's own output:
- 12-lead ECGs built from neurokit2's ECGSYN P, QRS and T waves, each simulated apart with
  the same beats and projected from a known frontal direction: the axes are known, and the
  intervals are read off the noise-free waves (``visible_truth``);
- the values an ECG machine printed in the header of real printouts, read through the
  digitizer (``PRINTED`` holds what the page says; transcribed by eye);
- heart rate against MIT-BIH's reference beat annotations, 10 s windows.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import typer

# ECGSYN defaults (McSharry et al. 2003, as in neurokit2): angles of P Q R S T in degrees,
# z-amplitudes, Gaussian widths in radians.
TI = np.array([-70, -15, 0, 15, 100], float)
AI = np.array([1.2, -5, 30, -7.5, 0.75])
BI = np.array([0.25, 0.1, 0.1, 0.1, 0.4])
VISIBLE_MV = 0.02  # a wave starts/ends where it departs 0.2 mm from baseline on paper
WAVES = {"P": [0], "QRS": [1, 2, 3], "T": [4]}
AMPLITUDE_MV = {"P": 0.15, "QRS": 1.5, "T": 0.35}  # peak-to-peak of each component
# Frontal angles of the limb leads; chest leads get plausible angles of the same vector.
LEAD_ANGLES = {
    "I": 0, "II": 60, "III": 120, "aVR": -150, "aVL": -30, "aVF": 90,
    "V1": 130, "V2": 100, "V3": 80, "V4": 60, "V5": 30, "V6": 10,
}  # fmt: skip

# What the ECG machine printed in the header (read by eye from the page). Of the 25 pages in
# ../shared/data/images/printouts only these two print measurements; both are GE-style
# (QTc by Bazett). ecg00025 also prints "Poor data quality"; ecg00053 is a paced rhythm.
PRINTED: dict[str, dict[str, float | None]] = {
    "ecg00025.jpg": {
        "heart_rate_bpm": 82, "pr_ms": 160, "qrs_ms": 92, "qt_ms": 392, "qtc_bazett_ms": 457,
        "p_axis_deg": 52, "qrs_axis_deg": -41, "t_axis_deg": 23,
    },
    "ecg00053.png": {
        "heart_rate_bpm": 61, "pr_ms": 146, "qrs_ms": 128, "qt_ms": 490, "qtc_bazett_ms": 493,
        "p_axis_deg": 67, "qrs_axis_deg": 44, "t_axis_deg": 68,
    },
}  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("measure")(bench_measure)


def synth_12lead(hr: float, ti: np.ndarray, axes: dict[str, float], seed: int):
    """12 leads from ECGSYN's P, QRS and T simulated apart (same seed, so the same beats)
    and projected from known frontal directions: the truth of the axes is ``axes``."""
    import neurokit2 as nk

    from crtnet.io.record import Record

    parts = {}
    for wave, idx in WAVES.items():
        ai = np.zeros(5)
        ai[idx] = AI[idx]
        s = np.asarray(
            nk.ecg_simulate(
                duration=10,
                sampling_rate=500,
                heart_rate=hr,
                heart_rate_std=1,
                method="ecgsyn",
                random_state=seed,
                noise=0,
                ti=ti,
                ai=ai,
            )  # fmt: skip
        )
        s = s - np.median(s)  # neurokit rescales each output; the wave sits on its median
        parts[wave] = s / np.ptp(s) * AMPLITUDE_MV[wave]

    def proj(angle: float) -> np.ndarray:
        return sum(parts[w] * np.cos(np.deg2rad(axes[w] - angle)) for w in WAVES)

    # Einthoven-consistent limb leads; chest leads as projections at plausible angles.
    i, ii = proj(0), proj(60)
    iii = ii - i
    limb = {"I": i, "II": ii, "III": iii, "aVR": -(i + ii) / 2, "aVL": (i - iii) / 2}
    limb["aVF"] = (ii + iii) / 2
    rows = [limb[ld] if ld in limb else proj(ang) for ld, ang in LEAD_ANGLES.items()]
    sig = np.array(rows) + np.random.default_rng(seed).normal(0, 0.01, (12, len(rows[0])))
    return Record(signal=sig.astype(np.float32), fs=500.0, leads=list(LEAD_ANGLES)), parts


def truth(hr: float, ti: np.ndarray) -> dict[str, float]:
    """PR, QRS and QT that ECGSYN's parameters imply at heart rate ``hr``, in ms.

    Each ECGSYN wave is a Gaussian in phase, centre ti and width b, and phase runs at 2*pi
    per RR; ECGSYN scales ti and b with the rate exactly as done here. The P, QRS and T
    waves are drawn noise-free at the amplitudes used in ``synth_12lead``, and a wave starts
    and ends where it departs VISIBLE_MV from baseline.
    """
    f = np.sqrt(hr / 60)
    theta = np.deg2rad(ti * np.array([np.sqrt(f), f, 1, f, np.sqrt(f)]))
    b = BI * f
    rr = 60 / hr
    t = np.arange(-0.6 * rr, 0.8 * rr, 1e-4)
    phase = 2 * np.pi * t / rr
    edges = {}
    for wave, idx in WAVES.items():
        z = sum(
            AI[i] * b[i] ** 2 * np.exp(-((phase - theta[i]) ** 2) / (2 * b[i] ** 2)) for i in idx
        )
        z = z / np.ptp(z) * AMPLITUDE_MV[wave]
        seen = t[np.abs(z) >= VISIBLE_MV]
        edges[wave] = (seen[0], seen[-1])
    return {
        "pr_ms": 1000 * (edges["QRS"][0] - edges["P"][0]),
        "qrs_ms": 1000 * (edges["QRS"][1] - edges["QRS"][0]),
        "qt_ms": 1000 * (edges["T"][1] - edges["QRS"][0]),
    }


def simulated() -> list[dict]:
    from crtnet.predict.measure import measure

    rows = []
    variants = [
        ((-70, 100), {"P": 50, "QRS": 60, "T": 40}),
        ((-85, 100), {"P": 60, "QRS": 0, "T": 30}),
        ((-70, 115), {"P": 40, "QRS": -30, "T": 50}),
        ((-80, 110), {"P": 70, "QRS": 90, "T": 60}),
    ]
    for hr in (50, 60, 75, 90, 110):
        for k, ((tp, tt), axes) in enumerate(variants):
            ti = TI.copy()
            ti[0], ti[4] = tp, tt
            rec, parts = synth_12lead(hr, ti, axes, seed=hr * 10 + k)
            t = {"heart_rate_bpm": float(hr), **truth(hr, ti)}
            t |= {f"{w.lower()}_axis_deg": float(a) for w, a in axes.items()}
            rows.append({"hr": hr, "ti": [tp, tt], "truth": t, "got": measure(rec)})
    return rows


def mitdb_hr(root: Path, windows: int = 20) -> list[tuple[float, float]]:
    """(reference HR, measured HR) for ``windows`` 10 s windows per MIT-BIH record."""
    import wfdb

    from crtnet.bench.qrs import BEATS
    from crtnet.io.record import Record
    from crtnet.predict.measure import measure

    out = []
    for name in (root / "RECORDS").read_text().split():
        rec = wfdb.rdrecord(str(root / name), channels=[0])
        ann = wfdb.rdann(str(root / name), "atr")
        beats = np.array([s for s, y in zip(ann.sample, ann.symbol, strict=True) if y in BEATS])
        fs, n = rec.fs, int(10 * rec.fs)
        for start in np.linspace(0, rec.sig_len - n - 1, windows).astype(int):
            ref = beats[(beats >= start) & (beats < start + n)]
            if ref.size < 3:
                continue
            ref_hr = 60 * fs / float(np.median(np.diff(ref)))
            seg = rec.p_signal[start : start + n, 0].astype(np.float32)[None]
            got = measure(Record(signal=seg, fs=float(fs), leads=["II"]))["heart_rate_bpm"]
            out.append((ref_hr, np.nan if got is None else got))
    return out


def _stats(pairs: list[tuple[float, float | None]]) -> str:
    a = np.array([(t, np.nan if g is None else g) for t, g in pairs], float)
    ok = np.isfinite(a[:, 1])
    err = a[ok, 1] - a[ok, 0]
    if not err.size:
        return "| n/a | n/a | n/a | 0 |"
    p90 = np.percentile(np.abs(err), 90)
    return f"| {np.mean(np.abs(err)):.1f} | {np.mean(err):+.1f} | {p90:.1f} | {ok.sum()}/{len(a)} |"


def bench_measure(
    mitdb: Path = typer.Option(None, help="MIT-BIH folder (with RECORDS) for the HR check."),
    printouts: Path = typer.Option(None, help="Folder of real printouts (see PRINTED)."),
    out: Path = typer.Option(Path("docs/serve/measure-bench.json"), help="Raw numbers (JSON)."),
) -> None:
    """Measurements against simulated truth, printed machine values and MIT-BIH beats."""
    from crtnet.bench.report import machine_line

    t0 = time.time()
    lines = [f"Machine: {machine_line()}", ""]
    sim = simulated()
    keys = (
        "heart_rate_bpm",
        "pr_ms",
        "qrs_ms",
        "qt_ms",
        "p_axis_deg",
        "qrs_axis_deg",
        "t_axis_deg",
    )
    lines += [
        f"Simulated (neurokit2 ECGSYN waves, 12 leads, 10 s, 500 Hz, noise 0.01 mV, "
        f"{len(sim)} ECGs, HR 50-110, QRS axis -30 to 90):",
        "",
        "| measure | mean abs error | bias | 90th pct abs error | delineated |",
        "|---|---|---|---|---|",
    ]
    for k in keys:
        lines.append(f"| {k} " + _stats([(r["truth"][k], r["got"][k]) for r in sim]))
    raw: dict = {"simulated": sim}
    if mitdb is not None:
        pairs = mitdb_hr(mitdb)
        raw["mitdb_hr"] = pairs
        lines += ["", f"Heart rate vs MIT-BIH reference beats ({len(pairs)} windows of 10 s):", ""]
        lines += [
            "| measure | mean abs error | bias | 90th pct abs error | found |",
            "|---|---|---|---|---|",
        ]
        lines.append("| heart_rate_bpm " + _stats(pairs))
    if printouts is not None and PRINTED:
        lines += ["", _printout_table(printouts, raw)]
    lines += ["", f"({time.time() - t0:.0f} s)"]
    out.write_text(json.dumps(raw, indent=1, default=float))
    typer.echo("\n".join(lines))


def _printout_table(folder: Path, raw: dict) -> str:
    from crtnet.errors import CrtnetError
    from crtnet.predict.api import load_input
    from crtnet.predict.measure import measure

    keys = (
        "heart_rate_bpm",
        "pr_ms",
        "qrs_ms",
        "qt_ms",
        "qtc_bazett_ms",
        "p_axis_deg",
        "qrs_axis_deg",
        "t_axis_deg",
    )
    rows = ["| printout | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    raw["printouts"] = {}
    for name, printed in PRINTED.items():
        try:
            rec, _ = load_input(folder / name)
            got = measure(rec)
        except CrtnetError as exc:
            rows.append(f"| {name} | digitizer refused: {exc.problem} |")
            continue
        raw["printouts"][name] = {"printed": printed, "got": got}
        cells = []
        for k in keys:
            p, g = printed.get(k), got.get(k)
            cells.append(f"{'–' if p is None else f'{p:g}'} / {'n/a' if g is None else f'{g:.0f}'}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "Real printouts, printed / measured through the digitizer:\n\n" + "\n".join(rows)
