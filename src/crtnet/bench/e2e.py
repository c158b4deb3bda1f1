"""``crtnet bench e2e``: does digitization preserve diagnosis?

Each CV fold model is scored on the test fold it never saw in training, once from the
original signals and once from pages rendered and digitized back, so the only difference
between the columns is the printout round trip.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("e2e")(bench_e2e)


def bench_e2e(
    root: list[Path] = typer.Option(..., "--root", help="PTB-XL root(s) the model's CV used."),
    model: list[str] = typer.Option(
        ["ptbxl-superdiagnostic"],
        "--model",
        help="Model run directory (or bundled name); repeat for several CV fold models, "
        "each scored on its own test fold.",
    ),
    layouts: str = typer.Option("3x4+II,6x2,12x1", help="Comma list of printout layouts."),
    augment: str = typer.Option("none", help="Comma list of augmentation presets."),
    limit: int = typer.Option(0, help="Use only the first N test records of each model."),
    write: bool = typer.Option(True, help="Update docs/BENCHMARKS.md."),
) -> None:
    """Macro-AUC on original signals vs rendered-then-digitized pages, same records."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from crtnet.bench.report import machine_line, update_section
    from crtnet.data.ptbxl import load_database
    from crtnet.errors import CrtnetError
    from crtnet.predict.models import load_model

    start = time.time()
    keys = ["original signal"] + [
        f"{lo} / {au}" for lo in layouts.split(",") for au in augment.split(",")
    ]
    # every model is checked before any is scored: a bad one fails in seconds, not hours
    plan, classes = [], None
    for name in model:
        lm = load_model(name)
        prot = lm.config["protocol"]
        if classes is not None and lm.classes != classes:
            raise CrtnetError("the models do not share their classes", name)
        classes = lm.classes
        test_ids = prot["ecg_ids"]["test"][: limit or None]
        if len(test_ids) < 20:
            raise CrtnetError(
                f"the model has {len(test_ids)} test records: give a CV fold run, whose "
                "test fold it never saw",
                name,
            )
        plan.append((name, prot, test_ids))
    db, stmts = load_database([Path(r) for r in root])
    probs: dict[str, list] = {k: [] for k in keys}
    failures = {k: 0 for k in keys}
    ys, folds = [], []
    for name, prot, test_ids in plan:
        folds.append(str(prot.get("fold")))
        task = prot.get("task", "superdiagnostic")
        y, records = _test_records(db, stmts, test_ids, task, classes)
        ys.append(y)
        _score(records, name, keys, classes, probs, failures)
    y = np.concatenate(ys)
    rows = []
    base = None
    for key in keys:
        p = np.array(probs[key])
        ok = (y.sum(0) > 0) & (y.sum(0) < len(y))  # AUC needs both labels
        auc = float(np.mean([roc_auc_score(y[:, k], p[:, k]) for k in np.flatnonzero(ok)]))
        base = auc if base is None else base
        rows.append(f"| {key} | {auc:.4f} | {auc - base:+.4f} | {failures[key]} |")
        typer.echo(f"{key}: macro-AUC {auc:.4f} (drop {base - auc:+.4f}), failed {failures[key]}")
    if write:
        cmd = (
            f"crtnet bench e2e {' '.join(f'--root {r}' for r in root)} "
            + " ".join(f"--model {m}" for m in model)
            + f" --layouts {layouts} --augment {augment}"
            + (f" --limit {limit}" if limit else "")
        )
        update_section(
            "e2e",
            "## Does digitization preserve diagnosis? (PTB-XL superdiagnostic)\n\n"
            f"Command: `{cmd}`  \nMachine: {machine_line()}  \nWall time: "
            f"{time.time() - start:.0f} s  \n"
            f"Data: {len(y)} records, the test folds ({', '.join(folds)}) of the patient-wise "
            "CV fold models named (each record scored by the one model that never saw it in "
            "training or threshold choice; macro-AUC over the pooled records); pages "
            "rendered by crtnet at 200 DPI (seeded), digitized at 500 Hz, classified by the "
            "same model. Targets: drop ≤ 0.01 (3x4+II clean), ≤ 0.02 (6x2, 12x1). A page "
            "the digitizer refuses counts with probability 0.5 for every class.\n\n"
            "| input | macro-AUC | change vs original | pages failed |\n|---|---|---|---|\n"
            + "\n".join(rows),
        )


def _test_records(db, stmts, test_ids: list, task: str, classes: list[str]):
    import numpy as np

    from crtnet.data.ptbxl import labels_for
    from crtnet.io import read_record

    labs = labels_for(db.loc[test_ids], stmts, task)
    y = np.array([[int(c in lab) for c in classes] for lab in labs])
    records = []
    for e in test_ids:
        row = db.loc[e]
        hr = Path(row["root"]) / f"{row['filename_hr']}.hea"
        rel = row["filename_hr"] if hr.is_file() else row["filename_lr"]
        records.append(read_record(Path(row["root"]) / rel))
    return y, records


def _score(records, model: str, keys: list[str], classes, probs: dict, failures: dict) -> None:
    from crtnet.digitize import digitize
    from crtnet.errors import CrtnetError
    from crtnet.predict.api import predict_record
    from crtnet.render import RenderConfig, render_page

    for i, rec in enumerate(records):
        probs[keys[0]].append(_p(predict_record(rec, model), classes))
        for key in keys[1:]:
            lo, au = key.split(" / ")
            page = render_page(rec, RenderConfig(layout=lo, augment=au), seed=i)
            try:
                dig = digitize(page.image, fs=500)
                probs[key].append(_p(predict_record(dig.record, model), classes))
            except CrtnetError:
                failures[key] += 1
                probs[key].append([0.5] * len(classes))  # a failed page counts, uninformed
        typer.echo(f"{model}: {i + 1}/{len(records)}", err=True)


def _p(res: dict, classes: list[str]) -> list[float]:
    return [float(res["probabilities"][c]) for c in classes]
