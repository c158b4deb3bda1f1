"""Pretrained models shipped inside the package, and loading of any trained run by path.

A bundled model is a run directory (``config.json`` + ``model.safetensors`` +
``model_card.md``) under ``crtnet/weights/<name>``; nothing is downloaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from crtnet.errors import CrtnetError

WEIGHTS = Path(__file__).resolve().parents[1] / "weights"
DEFAULT_12LEAD = "ptbxl-superdiagnostic"
DEFAULT_BEATS = "mitdb-beats"


@dataclass
class LoadedModel:
    name: str
    version: str
    path: Path
    model: Any  # torch.nn.Module in eval mode
    config: dict
    card: str

    @property
    def multilabel(self) -> bool:
        return bool(self.config["multilabel"])

    @property
    def classes(self) -> list[str]:
        return list(self.config["classes"])

    @property
    def is_beat_model(self) -> bool:
        return "window_s" in self.config.get("protocol", {})


def bundled_models() -> list[str]:
    if not WEIGHTS.is_dir():
        return []
    return sorted(p.name for p in WEIGHTS.iterdir() if (p / "config.json").is_file())


def resolve(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if (p / "config.json").is_file():
        return p
    if (WEIGHTS / str(name_or_path) / "config.json").is_file():
        return WEIGHTS / str(name_or_path)
    known = ", ".join(bundled_models()) or "none bundled"
    raise CrtnetError(f"no such model (bundled: {known}; or give a run directory)", name_or_path)


@lru_cache(maxsize=8)
def load_model(name_or_path: str) -> LoadedModel:
    """Load once per process; the CLI and the demo call this for every input."""
    from crtnet.models import load_run

    path = resolve(name_or_path)
    model, config = load_run(path)
    card_path = path / "model_card.md"
    card = card_path.read_text() if card_path.is_file() else ""
    meta_path = path / "bundle.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    return LoadedModel(
        name=meta.get("name", path.name),
        version=meta.get("version", "run"),
        path=path,
        model=model,
        config=config,
        card=card,
    )
