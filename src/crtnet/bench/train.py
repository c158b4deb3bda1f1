"""``crtnet bench train EXPERIMENT``: the model benchmarks of docs/BENCHMARKS.md.

mitdb-inter (DS1 -> DS2), mitdb-intra, ptbxl-cv (patient-wise k-fold, CRT-Net vs
baselines on identical folds and epoch budget), ptbxl-ablation (CRT-Net design changes
chosen on the CV validation folds), ablation (CRT-Net stages and RR features
on MIT-BIH inter-patient) and throughput (CPU samples/s). Selection uses validation only.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import typer

CONFIGS = Path(__file__).resolve().parents[3] / "configs"
EXPERIMENTS = ["mitdb-inter", "mitdb-intra", "ptbxl-cv", "ptbxl-ablation", "ablation", "throughput"]


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("train")
    def bench_train(
        experiment: str = typer.Argument(..., help=" | ".join(EXPERIMENTS)),
        root: list[str] = typer.Option(None, "--root", help="Dataset root(s)."),
        out_root: Path = typer.Option(Path("runs"), help="Where run directories go."),
        set_: list[str] = typer.Option(None, "--set", help="Config override key=value."),
        models: str = typer.Option(
            None,
            help="Comma-separated models (ptbxl-cv, ablation) or variants (mitdb-inter: "
            "NAME or NAME+bias).",
        ),
        folds: int = typer.Option(5, help="Folds to run (ptbxl-cv)."),
    ) -> None:
        """Train, evaluate and write this experiment's section of docs/BENCHMARKS.md."""
        from crtnet.errors import CrtnetError

        if experiment not in EXPERIMENTS:
            raise CrtnetError(f"unknown experiment {experiment!r}; choose {EXPERIMENTS}")
        import torch  # noqa: F401 - so machine_line() reports torch and threads

        roots = (root[0] if len(root) == 1 else list(root)) if root else None
        t0 = time.time()
        body = _RUNNERS[experiment](roots, out_root, list(set_ or []), models, folds)
        from crtnet.bench.report import machine_line, update_section

        cmd = "crtnet bench train " + " ".join(sys.argv[sys.argv.index(experiment) :])
        head = (
            f"Command: `{cmd}`\n\nMachine: {machine_line()}\n\n"
            f"Wall time: {(time.time() - t0) / 60:.1f} min\n\n"
        )
        # a run over a subset of variants or models gets its own section, so rerunning
        # some does not erase the table of the others
        key = f"train-{experiment}"
        if experiment in ("ptbxl-ablation", "ptbxl-cv") and models:
            key += "-" + models.replace(",", "-")
        update_section(key, head + body)
        typer.echo(head + body)


def _fit_eval(config: str, out: Path, roots, overrides, **kw) -> tuple[dict, dict, float]:
    from crtnet.evaluate import evaluate_run
    from crtnet.train.config import load_config
    from crtnet.train.loop import fit, load_task

    cfg = load_config(CONFIGS / config, overrides, root=roots, **kw)
    cfg.progress = False
    t = time.time()
    task = load_task(cfg)
    fit(cfg, out, task=task)
    # training time from the run's own history: true across resumed invocations
    hist = json.loads((out / "history.json").read_text())
    minutes = sum(h["seconds"] for h in hist) / 60 if hist else (time.time() - t) / 60
    test = evaluate_run(out, "test", task=task)
    val = json.loads((out / "metrics.json").read_text())["val"]
    return val, test, minutes


def _ci(ci: dict, key: str) -> str:
    lo, hi = ci.get(key, (None, None))
    return "-" if lo is None else f"[{100 * lo:.1f}, {100 * hi:.1f}]"


def _pct(v) -> str:
    return "-" if v is None else f"{100 * v:.1f}"


def _beat_table(rows: list[tuple[str, dict]], classes=("N", "S", "V", "F")) -> str:
    head = "| run | acc | " + " | ".join(f"{c} Se / +P / F1" for c in classes) + " | macro-F1 |"
    lines = [head, "|" + "---|" * (len(classes) + 3)]
    for name, m in rows:
        pcs = [m["per_class"][c] for c in classes if c in m["per_class"]]
        cells = [f"{_pct(p['sensitivity'])} / {_pct(p['ppv'])} / {_pct(p['f1'])}" for p in pcs]
        lines.append(
            f"| {name} | {_pct(m['accuracy'])} | "
            + " | ".join(cells)
            + f" | {_pct(m['macro_f1'])} |"
        )
    return "\n".join(lines)


def _mitdb_inter(roots, out_root, overrides, models, folds) -> str:
    from crtnet.bench import mitdb as mb

    names = (models or "base,rhythm-seq").split(",")
    unknown = sorted(n for n in names if not mb.known(n))
    if unknown:
        from crtnet.errors import CrtnetError

        raise CrtnetError(
            f"unknown variant(s) {unknown}; known: {list(mb.VARIANTS)}, each also as NAME+bias"
        )
    cv = {n: mb.cross_validate(n, roots, out_root, overrides) for n in names}
    best = max(names, key=lambda n: mb.score(cv[n]))
    test, minutes = mb.evaluate_ds2(best, roots, out_root, overrides)
    ci = test["ci95"]
    k = cv[best]["folds"]
    lines = [
        "MIT-BIH inter-patient (de Chazal 2004), classes N, S, V, F, paced records out. "
        f"Every choice is made on DS1 alone: {k}-fold leave-records-out cross-validation "
        "inside DS1 (records grouped so that S, V and F beats spread over the folds; "
        "pooled confusion of the held-out records). The variant with the best DS1 score "
        "(mean of S and V F1) is trained on all of DS1 for the same fixed epochs and "
        f"evaluated on DS2 once. Config `configs/{mb.CONFIG}`; chosen: **{best}**; "
        f"final training {minutes:.1f} min.\n",
        "DS1 cross-validation (pooled over held-out records):\n",
        _beat_table([(f"{n} ({mb.describe(n)})", cv[n] | {"macro_f1": None}) for n in names]),
        "",
        _beat_table([("CRT-Net, DS2 test", test | {"macro_f1": None})]),
        "",
        "DS2 95% CIs, bootstrap over the 22 DS2 records (1000 resamples; beats of one "
        f"patient are not independent): accuracy {_ci(ci, 'accuracy')}; "
        + "; ".join(
            f"{c} Se {_ci(ci, f'sensitivity_{c}')} +P {_ci(ci, f'ppv_{c}')} F1 {_ci(ci, f'f1_{c}')}"
            for c in ("N", "S", "V", "F")
        )
        + ".\n",
        "Training time summed over every CV fold of every variant and the final run: "
        f"{sum(c['minutes'] for c in cv.values()) + minutes:.1f} min; per variant "
        + ", ".join(f"{n} {cv[n]['minutes']:.1f}" for n in names)
        + " (the wall time above can be shorter when finished folds were reused).\n",
        f"DS2 evaluations logged in `{out_root}/ds2-evaluations.jsonl` so far: "
        f"{mb.ds2_count(out_root)}.\n",
        "Reference (Niu et al. 2020, inter-patient): accuracy 96.4, SVEB F1 76.6, "
        "VEB F1 89.7. Target (issue 11): accuracy >= 96.5, SVEB F1 >= 80, VEB F1 >= 92.\n",
    ]
    return "\n".join(lines)


def _mitdb_intra(roots, out_root, overrides, models, folds) -> str:
    out = out_root / "mitdb-intra-crtnet"
    val, test, minutes = _fit_eval("mitdb-intra-crtnet.yaml", out, roots, overrides)
    return (
        "MIT-BIH intra-patient: all non-paced records' beats, stratified random 80/10/10 "
        f"(beats of a patient on both sides: optimistic). Run `{out}`, {minutes:.1f} min.\n\n"
        + _beat_table([("CRT-Net, test", test)], ("N", "S", "V", "F", "Q"))
        + f"\n\nTest accuracy {_pct(test['accuracy'])}, macro-F1 {_pct(test['macro_f1'])}.\n"
    )


def _ablation(roots, out_root, overrides, models, folds) -> str:
    variants = [
        ("crtnet_cnn", True),
        ("crtnet_cnn_gru", True),
        ("crtnet_cnn_transformer", True),
        ("crtnet", True),
        ("crtnet", False),
    ]
    if models:  # "crtnet-noaux" = crtnet without the RR features
        variants = [(m.removesuffix("-noaux"), not m.endswith("-noaux")) for m in models.split(",")]
    rows = []
    for name, aux in variants:
        tag = f"{name}{'' if aux else '-noaux'}"
        val, test, minutes = _fit_eval(
            "mitdb-inter-crtnet.yaml",
            out_root / f"ablation-{tag}",
            roots,
            overrides,
            model=name,
            use_aux=aux,
        )
        rows.append((tag, val, test, minutes))
    lines = [
        "MIT-BIH inter-patient ablation; identical data, seed and epoch budget "
        "(overrides in the command). Architecture is judged on the held-out DS1 "
        "validation macro-F1; DS2 columns are reported, not used for choice.\n",
        "| variant | val macro-F1 | DS2 acc | DS2 S F1 | DS2 V F1 | DS2 macro-F1 | min |",
        "|---|---|---|---|---|---|---|",
    ]
    for tag, val, test, minutes in rows:
        pc = test["per_class"]
        lines.append(
            f"| {tag} | {_pct(val['macro_f1'])} | {_pct(test['accuracy'])} | "
            f"{_pct(pc['S']['f1'])} | {_pct(pc['V']['f1'])} | "
            f"{_pct(test['macro_f1'])} | {minutes:.1f} |"
        )
    return "\n".join(lines) + "\n"


def _ptbxl_cv(roots, out_root, overrides, models, folds) -> str:
    import numpy as np

    from crtnet.models import model_names
    from crtnet.train.config import load_config

    names = (models or "crtnet,resnet1d_wang,bilstm,inception1d").split(",")
    for name in names:
        for fold in range(folds):
            out = out_root / f"ptbxl-cv-{name}-fold{fold}"
            _fit_eval(
                "ptbxl-superdiagnostic.yaml",
                out,
                roots,
                overrides,
                model=name,
                fold=fold,
                protocol="cv",
                # the config's model_cfg sizes CRT-Net; other models keep their own
                model_cfg=None if name.startswith("crtnet") else {},
            )
    c = load_config(CONFIGS / "ptbxl-superdiagnostic.yaml", overrides)
    recipe = (
        f"{c.epochs} epochs (patience {c.patience}), augmentation {'on' if c.augment else 'off'}"
        f", lead mask {'on' if c.lead_mask else 'off'}, printout views "
        + (
            f"for {c.views:.0%} of training samples ({', '.join(c.view_layouts)})"
            if c.views
            else "off"
        )
    )
    lines = [
        "PTB-XL superdiagnostic (multi-label, 5 classes), 12 leads at 100 Hz, "
        "patient-wise stratified k-fold CV on the records given by --root (test = fold k, "
        "val = fold k+1, train = rest; same folds, seed, inputs and training for every "
        f"model: config `configs/ptbxl-superdiagnostic.yaml`, {recipe}; "
        "earlier invocations' finished runs in --out-root are included). "
        "The official strat_fold 10 test protocol cannot be reproduced on this subset; "
        "full-data anchor (Strodthoff et al. 2021): resnet1d_wang macro-AUC 0.930.\n",
        "| model | macro-AUC mean ± sd | per fold | macro-F1 mean | train min/fold |",
        "|---|---|---|---|---|",
    ]
    for name in model_names():
        runs = [out_root / f"ptbxl-cv-{name}-fold{k}" for k in range(folds)]
        if not all((r / "metrics.json").is_file() for r in runs):
            continue
        ms = [json.loads((r / "metrics.json").read_text()).get("test") for r in runs]
        if any(m is None for m in ms):
            continue
        auc = np.array([m["macro_auc"] for m in ms])
        f1 = np.mean([m["macro_f1"] for m in ms])
        sec = np.mean(
            [sum(h["seconds"] for h in json.loads((r / "history.json").read_text())) for r in runs]
        )
        lines.append(
            f"| {name} | {auc.mean():.3f} ± {auc.std():.3f} | "
            + ", ".join(f"{v:.3f}" for v in auc)
            + f" | {f1:.3f} | {sec / 60:.1f} |"
        )
    return "\n".join(lines) + "\n"


def _ptbxl_ablation(roots, out_root, overrides, models, folds) -> str:
    from crtnet.bench import ptbxl as pb
    from crtnet.errors import CrtnetError

    names = (models or ",".join(pb.VARIANTS)).split(",")
    unknown = sorted(set(names) - set(pb.VARIANTS))
    if unknown:
        raise CrtnetError(f"unknown variant(s) {unknown}; known: {list(pb.VARIANTS)}")
    rows = {n: pb.cross_validate(n, roots, out_root, overrides, folds) for n in names}
    layouts = ["3x4+II", "3x4", "6x2"]
    views = {n: pb.view_aucs(out_root, n, folds, layouts) for n in names}
    best = max(names, key=lambda n: sum(rows[n]["val"]))
    return (
        "PTB-XL superdiagnostic, CRT-Net design ablation on the `ptbxl-cv` folds (patient-wise "
        f"{folds}-fold CV of the records given by --root; test = fold k, val = fold k+1; "
        f"config `configs/{pb.CONFIG}`, seed 0). Each variant changes one thing, from base "
        "or from aug (its name says which); the choice is "
        "the best mean **validation** macro-AUC (the epoch and thresholds are chosen on the "
        "same val fold), the test folds are reported and never used to choose. The view "
        "columns score each test fold with every record shown as that printout layout "
        "shows it (NaN elsewhere; simulated from the signal, not rendered and digitized).\n\n"
        + pb.table(rows, views, layouts)
        + f"\n\nChosen on validation: **{best}**.\n"
    )


def _throughput(roots, out_root, overrides, models, folds) -> str:
    import torch

    from crtnet.models import build_model

    names = (models or "crtnet,crtnet_cnn,resnet1d_wang,inception1d,bilstm").split(",")
    lines = [
        "CPU throughput on random tensors of the benchmark shapes (values do not change "
        "the cost). Training = forward + backward + AdamW step, batch 64.\n",
        "| model | params | train beats/s (1x360) | train records/s (12x1000) | "
        "infer records/s (12x1000) |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        row = [name]
        for leads, length in ((1, 360), (12, 1000)):
            m = build_model(name, n_leads=leads, n_classes=5)
            opt = torch.optim.AdamW(m.parameters())
            x, y = torch.randn(64, leads, length), torch.randint(0, 5, (64,))
            rate = _rate(lambda m=m, opt=opt, x=x, y=y: _step(m, opt, x, y), 64)
            if leads == 1:
                row.append(f"{sum(p.numel() for p in m.parameters()) / 1e3:.0f}k")
            row.append(f"{rate:.0f}")
        m.eval()
        with torch.no_grad():
            row.append(f"{_rate(lambda m=m, x=x: m(x), 64):.0f}")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def _step(m, opt, x, y):
    import torch

    loss = torch.nn.functional.cross_entropy(m(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()


def _rate(fn, n: int, reps: int = 3) -> float:
    fn()  # warm-up
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return n * reps / (time.perf_counter() - t)


_RUNNERS = {
    "mitdb-inter": _mitdb_inter,
    "mitdb-intra": _mitdb_intra,
    "ptbxl-cv": _ptbxl_cv,
    "ptbxl-ablation": _ptbxl_ablation,
    "ablation": _ablation,
    "throughput": _throughput,
}
