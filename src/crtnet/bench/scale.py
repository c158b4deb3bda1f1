"""``crtnet bench scale``: archive digitization pages/s with 1 and 2 local Dask workers.

Both runs happen in one command on the same pages, so the ratio is fair even on a shared
machine; the load average is printed next to it. Writes the measured section of
docs/SCALE.md (the estimate for a million pages is computed from it).
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

DOC = Path(__file__).resolve().parents[3] / "docs" / "SCALE.md"


def register(app: typer.Typer) -> None:
    app.command("scale")(bench_scale)


def bench_scale(
    pages: int = typer.Option(24, help="Pages to digitize per run."),
    dpi: int = typer.Option(200, help="Resolution of the rendered pages."),
    workers: str = typer.Option("1,2", help="Worker counts to compare, in one run."),
    chunk: int = typer.Option(1, help="Pages per Dask task."),
    write: bool = typer.Option(True, help="Update docs/SCALE.md."),
) -> None:
    """Render PAGES pages from the bundled PTB-XL sample, digitize them on Dask per count."""
    import os
    import sqlite3
    import tempfile

    from PIL import Image

    from crtnet import samples
    from crtnet.batch import ArchiveConfig, iter_inputs, run_archive
    from crtnet.bench.report import machine_line, update_section
    from crtnet.io import read_record
    from crtnet.render import RenderConfig, render_page

    counts = [int(w) for w in workers.split(",")]
    load0 = os.getloadavg()
    recs = [read_record(h) for h in sorted(Path(samples.PTBXL).glob("records500/*/*_hr.hea"))]
    rows, rates = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pages"
        src.mkdir()
        for i in range(pages):
            page = render_page(recs[i % len(recs)], RenderConfig(dpi=dpi), seed=i)
            Image.fromarray(page.image).save(src / f"p{i:05d}.png")
        for w in counts:
            out = Path(tmp) / f"out{w}"
            t0 = time.time()
            cfg = ArchiveConfig("digitize", out, {"fmt": "wfdb"}, workers=w, chunk=chunk)
            res = run_archive(iter_inputs([src], "digitize"), cfg)
            wall = time.time() - t0
            with sqlite3.connect(out / "manifest.sqlite") as c:
                done = sorted(r[0] for r in c.execute("SELECT finished FROM inputs"))
            # steady state: from the first finished page to the last (startup excluded)
            later = sum(t > done[0] for t in done)  # pages recorded after the first result
            steady = later / (done[-1] - done[0]) if later else float("nan")
            rates[w] = steady
            rows.append(
                f"| {w} | {res['ok']} | {res['failed']} | {wall:.1f} | {pages / wall:.3f} | "
                f"{steady:.3f} |"
            )
            typer.echo(
                f"{w} worker(s): {pages} pages, {wall:.1f} s wall, {steady:.3f} pages/s steady"
            )
    load1 = os.getloadavg()
    ratio = rates[counts[-1]] / rates[counts[0]] if len(counts) > 1 else float("nan")
    typer.echo(f"speed-up {counts[-1]} vs {counts[0]} workers: {ratio:.2f}x")
    cmd = f"crtnet bench scale --pages {pages} --dpi {dpi} --workers {workers} --chunk {chunk}"
    if write:
        per_worker = rates[counts[0]] / counts[0]
        update_section(
            "scale-measured",
            "## Measured: pages per second with 1 and 2 local Dask workers\n\n"
            f"Command: `{cmd}`  \n"
            f"Data: {pages} US-letter pages at {dpi} DPI rendered from the bundled PTB-XL "
            "records (3x4+II), digitized to WFDB through `crtnet digitize --dask`'s code "
            "path (manifest, shards, JobPool per worker)  \n"
            f"Machine: {machine_line()}; load average {load0[0]:.1f} before, "
            f"{load1[0]:.1f} after (the machine is shared)\n\n"
            "| workers | ok | failed | wall s (with cluster start) | pages/s (wall) "
            "| pages/s (steady) |\n|---|---|---|---|---|---|\n"
            + "\n".join(rows)
            + f"\n\nSpeed-up, {counts[-1]} vs {counts[0]} workers (steady state): "
            f"**{ratio:.2f}x**. Steady pages/s per worker at {counts[0]} worker: "
            f"{per_worker:.3f}.\n",
            doc=DOC,
        )
        update_section("scale-estimate", _estimate(per_worker, ratio, cmd), doc=DOC)


def _estimate(per_worker: float, ratio: float, cmd: str) -> str:
    lines = [
        "## Estimate: a million pages",
        "",
        f"From the measured {per_worker:.3f} pages/s per worker (one core each; `{cmd}`), "
        "assuming workers scale linearly across machines (pages are independent; the "
        "client only records results) and the same per-core speed:",
        "",
        "| machines x cores | workers | pages/s | hours for 10^6 pages | core-hours |",
        "|---|---|---|---|---|",
    ]
    for machines, cores in ((1, 2), (1, 16), (4, 16), (16, 16), (64, 16)):
        w = machines * cores
        pps = per_worker * w
        lines.append(
            f"| {machines} x {cores} | {w} | {pps:.1f} | {1e6 / pps / 3600:.1f} | "
            f"{1e6 / per_worker / 3600:.0f} |"
        )
    lines.append("")
    lines.append(
        f"On this 2-core machine the measured 2-worker speed-up was {ratio:.2f}x, not 2x: "
        "the two workers share two cores with the scheduler, the client and, here, other "
        "jobs. Budget the core-hours column, not the ideal hours, when the cores are shared."
    )
    return "\n".join(lines)
