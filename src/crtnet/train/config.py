"""Experiment configuration: one dataclass, filled from YAML and ``key=value`` overrides."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from crtnet.errors import CrtnetError


@dataclass
class TrainConfig:
    # data: passed to crtnet.data.tasks.get_task
    dataset: str = "mitdb"
    root: Any = None  # str | list[str] | None (None: CRTNET_DATA or the download cache)
    protocol: str | None = None
    fold: int = 0
    n_folds: int = 5
    task: str | None = None
    fs: float | None = None
    data_options: dict = field(default_factory=dict)
    max_train: int | None = None  # random subsample of the training split (CPU budgets)
    max_per_class: int | None = None  # undersample majority classes (single-label) to this
    # model
    model: str = "crtnet"
    model_cfg: dict = field(default_factory=dict)
    use_aux: bool = True  # feed TaskData aux features (MIT-BIH RR intervals) to the head
    lead_mask: bool = False  # also feed a per-lead validity channel (NaN = not shown)
    # printout views (train/views.py): this share of training samples is shown as a page
    # of one of these layouts would show it (NaN elsewhere); validation stays full signals
    views: float = 0.0
    view_layouts: list = field(default_factory=lambda: ["3x4", "3x4+II", "6x2", "12x1"])
    # optimisation
    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 1e-2
    augment: bool = False  # random gain, noise, offset and +-4 sample shifts while training
    balance: str = "weights"  # weights | sampler | none
    balance_power: float = 0.5  # class weight = (n / (K * n_k)) ** power
    patience: int = 4  # epochs without validation improvement before stopping
    monitor: str = "auto"  # macro_f1 (single-label) / macro_auc (multi-label)
    seed: int = 0
    amp: str = "auto"  # auto | off | bf16 | fp16
    device: str = "auto"
    num_workers: int = 0
    threads: int | None = None
    progress: bool = True


def load_config(
    path: str | Path | None = None, overrides: list[str] | None = None, **kwargs: Any
) -> TrainConfig:
    """YAML file < keyword arguments < ``key=value`` overrides (values parsed as YAML)."""
    data: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise CrtnetError("config file not found", p)
        try:
            data = yaml.safe_load(p.read_text()) or {}
        except yaml.YAMLError as exc:
            raise CrtnetError(f"invalid YAML: {exc}".splitlines()[0], p) from None
        if not isinstance(data, dict):
            raise CrtnetError("config must be a mapping", p)
    data.update({k: v for k, v in kwargs.items() if v is not None})
    for item in overrides or []:
        if "=" not in item:
            raise CrtnetError(f"override {item!r} is not key=value")
        key, val = item.split("=", 1)
        _set(data, key.strip(), yaml.safe_load(val))
    names = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise CrtnetError(f"unknown config keys: {', '.join(unknown)}", path)
    cfg = TrainConfig(**data)
    if cfg.balance not in ("weights", "sampler", "none"):
        raise CrtnetError(f"balance must be weights, sampler or none, not {cfg.balance!r}")
    if not 0.0 <= float(cfg.views) <= 1.0:
        raise CrtnetError(f"views is the share of printout views, 0-1, not {cfg.views!r}")
    if cfg.views:
        from crtnet.train.views import check_layouts

        cfg.view_layouts = check_layouts(cfg.view_layouts)
    return cfg


def _set(data: dict, dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        data = data.setdefault(k, {})
        if not isinstance(data, dict):
            raise CrtnetError(f"override {dotted!r}: {k} is not a mapping")
    data[keys[-1]] = value


def to_dict(cfg: TrainConfig) -> dict:
    return asdict(cfg)
