"""``fit``: the training loop behind ``crtnet train``.

A small hand-written loop rather than Lightning: checkpoints must be safetensors + JSON
(Lightning's are pickles) and resuming must continue bit-identically, which is easiest to
guarantee and test when every source of randomness is explicit (sample order from
(seed, epoch), torch RNG saved per epoch). DDP comes from ``torchrun`` (WORLD_SIZE).
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from crtnet.errors import CrtnetError
from crtnet.evaluate.metrics import best_thresholds, compute_metrics, monitor_score
from crtnet.io.atomic import atomic_path
from crtnet.models import build_model
from crtnet.models.inference import FORMAT_VERSION
from crtnet.train import checkpoint as ck
from crtnet.train.config import TrainConfig
from crtnet.train.data import class_counts, class_weights, loader
from crtnet.train.dist import Dist, all_mean, barrier, setup, teardown
from crtnet.train.infer import predict_split, to_probs


def load_task(cfg: TrainConfig):
    from crtnet.data.tasks import get_task

    task = get_task(
        cfg.dataset,
        root=cfg.root,
        protocol=cfg.protocol,
        fold=cfg.fold,
        n_folds=cfg.n_folds,
        task=cfg.task,
        fs=cfg.fs,
        seed=cfg.seed,
        **cfg.data_options,
    )
    rng = np.random.default_rng(cfg.seed)
    y = np.asarray(task.train.y)
    if cfg.max_per_class and y.ndim == 1:
        keep = [
            rng.choice(np.flatnonzero(y == c), min(cfg.max_per_class, int((y == c).sum())), False)
            for c in np.unique(y)
        ]
        task.train = _subset(task.train, np.sort(np.concatenate(keep)))
    if cfg.max_train and cfg.max_train < len(task.train.y):
        idx = np.sort(
            np.random.default_rng(cfg.seed).choice(len(task.train.y), cfg.max_train, replace=False)
        )
        task.train = _subset(task.train, idx)
    return task


def _subset(split, idx):
    return type(split)(
        **{k: (None if v is None else np.asarray(v[idx])) for k, v in vars(split).items()}
    )


def _amp(cfg: TrainConfig, dev: torch.device):
    if cfg.amp == "off" or (cfg.amp == "auto" and dev.type != "cuda"):
        return None
    if cfg.amp == "fp16":
        return torch.float16
    if cfg.amp == "auto" and not torch.cuda.is_bf16_supported():
        return torch.float16
    return torch.bfloat16


def fit(
    cfg: TrainConfig,
    out_dir: str | Path,
    *,
    task=None,
    resume: bool = True,
    stop_after: int | None = None,
) -> dict:
    """Train, early-stop on validation, write the run directory; return the run config."""
    out = Path(out_dir)
    d = setup(cfg.device)
    try:
        return _fit(cfg, out, d, task, resume, stop_after)
    finally:
        teardown(d)


def _fit(cfg: TrainConfig, out: Path, d: Dist, task, resume: bool, stop_after) -> dict:
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    task = task if task is not None else load_task(cfg)
    k, ml = len(task.classes), task.multilabel
    aux_dim = task.train.aux.shape[1] if (cfg.use_aux and task.train.aux is not None) else 0
    n_leads, window = int(task.train.x.shape[1]), int(task.train.x.shape[2])
    model = build_model(
        cfg.model,
        n_leads=n_leads,
        n_classes=k,
        aux_dim=aux_dim,
        lead_mask=cfg.lead_mask,
        **cfg.model_cfg,
    )
    model.to(d.device)
    net = getattr(model, "net", model)  # LeadMasked wraps the registered model
    model_cfg = net.config() if hasattr(net, "config") else dict(cfg.model_cfg)
    ddp = model
    if d.world > 1:
        ddp = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[d.device.index] if d.device.type == "cuda" else None
        )
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    amp = _amp(cfg, d.device)
    scaler = torch.amp.GradScaler(d.device.type, enabled=amp == torch.float16)
    w = class_weights(task.train.y, k, cfg.balance_power)
    wt = torch.tensor(w, dtype=torch.float32, device=d.device) if cfg.balance == "weights" else None
    if ml:
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=wt)
    else:
        loss_fn = torch.nn.CrossEntropyLoss(weight=wt)
    sample_w = None
    if cfg.balance == "sampler":
        y = np.asarray(task.train.y)
        sample_w = w[y] if not ml else (y * w[None]).max(1) + 1e-3
    dl, sampler = loader(
        task.train,
        cfg.batch_size,
        use_aux=bool(aux_dim),
        weights=sample_w,
        shuffle=True,
        seed=cfg.seed,
        rank=d.rank,
        world=d.world,
        num_workers=cfg.num_workers,
        pin=d.device.type == "cuda",
        augment=cfg.augment,
        keep_nan=cfg.lead_mask,
        views=_views(cfg, task, window),
    )
    config = {
        "format_version": FORMAT_VERSION,
        "model": {
            "name": cfg.model,
            "n_leads": n_leads,
            "n_classes": k,
            "aux_dim": aux_dim,
            "lead_mask": bool(cfg.lead_mask),
            "cfg": model_cfg,
        },
        "classes": list(task.classes),
        "multilabel": bool(ml),
        "fs": float(task.fs),
        "leads": list(task.leads),
        "window": window,
        "units": "mV",
        "aux_names": list(task.aux_names) if aux_dim else [],
        "task": task.name,
        "protocol": task.protocol,
        "train": asdict(cfg),
        "thresholds": None,
        "command": " ".join(sys.argv),
        "counts": {
            s: class_counts(getattr(task, s).y, k).astype(int).tolist()
            for s in ("train", "val", "test")
        },
    }
    state = {
        "epoch": -1,
        "best": -math.inf,
        "best_epoch": -1,
        "bad": 0,
        "history": [],
        "done": False,
    }
    if resume and ck.has_checkpoint(out):
        state = ck.load_checkpoint(out, model, opt, scaler)
        if state.get("done"):
            if d.main:
                print(f"crtnet: {out} is already trained; skipping", file=sys.stderr)
            return json.loads((out / "config.json").read_text())
    elif d.main:
        out.mkdir(parents=True, exist_ok=True)
    for epoch in range(state["epoch"] + 1, cfg.epochs):
        if stop_after is not None and epoch >= stop_after:
            return config
        t0 = time.time()
        lr = cfg.lr * 0.5 * (1 + math.cos(math.pi * epoch / cfg.epochs))
        for g in opt.param_groups:
            g["lr"] = lr
        sampler.set_epoch(epoch)
        train_loss = _train_epoch(ddp, dl, opt, scaler, loss_fn, amp, d, cfg, epoch)
        probs, vloss = _validate(model, task.val, aux_dim, d.device, amp, ml)
        score = monitor_score(task.val.y, probs, ml, cfg.monitor)
        improved = score > state["best"] or cfg.monitor == "last"
        state.update(epoch=epoch, bad=0 if improved else state["bad"] + 1)
        if improved:
            state.update(best=score, best_epoch=epoch)
        state["history"].append(
            {
                "epoch": epoch,
                "lr": lr,
                "train_loss": train_loss,
                "val_loss": vloss,
                "val_score": score,
                "seconds": time.time() - t0,
            }
        )
        if d.main:
            print(
                f"epoch {epoch}: train_loss {train_loss:.4f} val_loss {vloss:.4f} "
                f"val_{_mon(cfg, ml)} {score:.4f}{' *' if improved else ''}",
                file=sys.stderr,
            )
            if improved:
                ck.save_weights(model, out / "model.safetensors")
            state["done"] = state["bad"] >= cfg.patience or epoch == cfg.epochs - 1
            ck.save_checkpoint(out, model, opt, scaler, state)
        barrier(d)
        if state["bad"] >= cfg.patience:
            break
    if d.main:
        config = _finish(out, config, state, task, aux_dim, d.device, amp)
    barrier(d)
    return config


def _views(cfg: TrainConfig, task, window: int):
    if not cfg.views:
        return None
    from crtnet.train.views import LayoutViews

    return LayoutViews(cfg.view_layouts, list(task.leads), float(task.fs), window, cfg.views)


def _train_epoch(model, dl, opt, scaler, loss_fn, amp, d: Dist, cfg, epoch) -> float:
    model.train()
    total, n = 0.0, 0
    it = dl
    if cfg.progress and d.main:
        from tqdm import tqdm

        it = tqdm(dl, desc=f"epoch {epoch}", leave=False, file=sys.stderr, unit="batch")
    for b in it:
        x = b["x"].to(d.device, non_blocking=True)
        y = b["y"].to(d.device, non_blocking=True)
        aux = b["aux"].to(d.device, non_blocking=True) if "aux" in b else None
        with torch.autocast(d.device.type, dtype=amp, enabled=amp is not None):
            loss = loss_fn(model(x, None, aux).float(), y)
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        total += float(loss.detach()) * len(y)
        n += len(y)
    return all_mean(total / max(n, 1), d)


def _validate(model, split, aux_dim, dev, amp, ml):
    """Validation probabilities and the unweighted loss (comparable across balance modes)."""
    if len(split.y) == 0:
        raise CrtnetError("the validation split is empty; use more records or another fold")
    logits = predict_split(model, split, use_aux=bool(aux_dim), device=dev, amp_dtype=amp)
    lt, y = torch.from_numpy(logits), torch.from_numpy(np.asarray(split.y))
    f = torch.nn.functional
    vloss = f.binary_cross_entropy_with_logits(lt, y.float()) if ml else f.cross_entropy(lt, y)
    return to_probs(logits, ml), float(vloss)


def _finish(out: Path, config, state, task, aux_dim, dev, amp) -> dict:
    from crtnet.evaluate.card import write_card
    from crtnet.evaluate.plots import plot_confusion, plot_history

    model, _ = _rebuild(config, out, dev)
    probs, _ = _validate(model, task.val, aux_dim, dev, amp, config["multilabel"])
    if config["multilabel"]:
        config["thresholds"] = best_thresholds(np.asarray(task.val.y), probs)
    metrics = {
        "val": compute_metrics(
            task.val.y, probs, task.classes, config["multilabel"], config["thresholds"]
        )
    }
    config["best_epoch"] = state["best_epoch"]
    for name, obj in (
        ("config.json", config),
        ("history.json", state["history"]),
        ("metrics.json", metrics),
    ):
        with atomic_path(out / name) as tmp:
            tmp.write_text(json.dumps(obj, indent=1, default=_json))
    plot_history(state["history"], out / "training_curves.png")
    plot_confusion(metrics["val"], task.classes, config["multilabel"], out / "confusion_val.png")
    write_card(out, config, metrics)
    return config


def _rebuild(config, out, dev):
    from crtnet.models import load_run

    with atomic_path(out / "config.json") as tmp:
        tmp.write_text(json.dumps(config, indent=1, default=_json))
    return load_run(out, device=str(dev))


def _json(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _mon(cfg: TrainConfig, ml: bool) -> str:
    return cfg.monitor if cfg.monitor != "auto" else ("macro_auc" if ml else "macro_f1")
