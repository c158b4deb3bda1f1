"""Evaluate a trained run on one of its task's splits; write metrics, plots and card."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from crtnet.errors import CrtnetError
from crtnet.evaluate.card import write_card
from crtnet.evaluate.metrics import compute_metrics
from crtnet.evaluate.plots import plot_confusion, plot_roc
from crtnet.io.atomic import atomic_path


def evaluate_run(
    run_dir: str | Path, split: str = "test", *, n_boot: int = 200, task=None, plots: bool = True
) -> dict:
    """Metrics of the run's model on ``split`` of the task it was trained on (same protocol)."""
    from crtnet.models import load_run
    from crtnet.train.config import TrainConfig
    from crtnet.train.infer import predict_split, to_probs
    from crtnet.train.loop import load_task

    run_dir = Path(run_dir)
    if split not in ("train", "val", "test"):
        raise CrtnetError(f"split must be train, val or test, not {split!r}")
    model, config = load_run(run_dir)
    if task is None:
        tc = TrainConfig(**config["train"])
        tc.max_train = None if split != "train" else tc.max_train
        task = load_task(tc)
    data = getattr(task, split)
    if len(data.y) == 0:
        raise CrtnetError(f"the {split} split is empty", run_dir)
    logits = predict_split(model, data, use_aux=config["model"]["aux_dim"] > 0)
    probs = to_probs(logits, config["multilabel"])
    m = compute_metrics(
        data.y,
        probs,
        config["classes"],
        config["multilabel"],
        config.get("thresholds"),
        n_boot=n_boot,
    )
    m["command"] = "crtnet " + " ".join(sys.argv[1:]) if "crtnet" in sys.argv[0] else None
    if plots:
        plot_confusion(
            m, config["classes"], config["multilabel"], run_dir / f"confusion_{split}.png"
        )
        plot_roc(np.asarray(data.y), probs, config["classes"], run_dir / f"roc_{split}.png")
    mpath = run_dir / "metrics.json"
    metrics = json.loads(mpath.read_text()) if mpath.is_file() else {}
    metrics[split] = m
    with atomic_path(mpath) as tmp:
        tmp.write_text(json.dumps(metrics, indent=1))
    write_card(run_dir, config, metrics)
    return m
