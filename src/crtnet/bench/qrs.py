"""``crtnet bench qrs``: R-peak detector against MIT-BIH reference beat annotations."""

from __future__ import annotations

import time
from pathlib import Path

import typer

BEATS = set("NLRBAaJSVrFejnE/fQ?")


def register(app: typer.Typer) -> None:
    app.command("qrs")(bench_qrs)


def bench_qrs(
    root: Path = typer.Option(..., "--root", help="MIT-BIH Arrhythmia folder (with RECORDS)."),
    write: bool = typer.Option(True, help="Update docs/BENCHMARKS.md."),
) -> None:
    """Sensitivity and PPV of crtnet's R-peak detector on every MIT-BIH record (lead 0)."""
    import numpy as np
    import wfdb
    from wfdb import processing

    from crtnet.bench.report import machine_line, update_section
    from crtnet.predict.rhythm import detect_r_peaks

    records = (root / "RECORDS").read_text().split()
    tp = fp = fn = 0
    t_detect = 0.0
    start = time.time()
    for name in records:
        rec = wfdb.rdrecord(str(root / name), channels=[0])
        ann = wfdb.rdann(str(root / name), "atr")
        ref = np.array([s for s, y in zip(ann.sample, ann.symbol, strict=True) if y in BEATS])
        t0 = time.perf_counter()
        peaks = detect_r_peaks(rec.p_signal[:, 0], rec.fs)
        t_detect += time.perf_counter() - t0
        cmp = processing.compare_annotations(ref, peaks, int(0.15 * rec.fs))
        cmp.compare()
        tp, fp, fn = tp + cmp.tp, fp + cmp.fp, fn + cmp.fn
    se, ppv = tp / (tp + fn), tp / (tp + fp)
    line = (
        f"| {len(records)} | {tp + fn} | {se * 100:.2f} | {ppv * 100:.2f} | {fp} | {fn} "
        f"| {t_detect:.1f} | {time.time() - start:.0f} |"
    )
    typer.echo(f"Se={se:.4f} +P={ppv:.4f} TP={tp} FP={fp} FN={fn} detect={t_detect:.1f}s")
    if write:
        update_section(
            "qrs",
            "## R-peak detection (rhythm analysis)\n\n"
            f"Command: `crtnet bench qrs --root {root}`  \nMachine: {machine_line()}  \n"
            "Protocol: every record of MIT-BIH, first lead, all reference beat annotations, "
            "match window 150 ms (`wfdb.processing.compare_annotations`). Pan & Tompkins "
            "report Se 99.76 / +P 99.56 on the same database.\n\n"
            "| records | reference beats | Se % | +P % | FP | FN | detector time s | wall s |\n"
            "|---|---|---|---|---|---|---|---|\n" + line,
        )
