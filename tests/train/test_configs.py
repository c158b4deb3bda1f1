"""Every shipped experiment config loads into TrainConfig (no unknown or invalid keys)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crtnet.train.config import load_config

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_loads(path):
    cfg = load_config(path)
    assert cfg.model and cfg.epochs > 0


def test_official_ptbxl_protocol():
    cfg = load_config(Path(CONFIGS[0]).parent / "ptbxl-official.yaml")
    assert cfg.protocol == "strat_fold" and cfg.task == "superdiagnostic" and cfg.fs == 100
