"""Running a trained model outside training: rebuild a run, score windows of a record."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from crtnet.errors import CrtnetError
from crtnet.models.registry import build_model

# config.json "format_version": 1 (absent) = signal only; 2 adds model.lead_mask
FORMAT_VERSION = 2


def load_weights(model: torch.nn.Module, path: Path, what: str) -> torch.nn.Module:
    """A bundled model's weights (safetensors, never pickle) into ``model``, in eval mode."""
    from safetensors.torch import load_file

    if not path.is_file():
        raise CrtnetError(f"{what}'s weights are missing (reinstall crtnet)", path)
    model.load_state_dict(load_file(str(path)))
    return model.eval()


def load_run(run_dir: str | Path, device: str = "cpu") -> tuple[torch.nn.Module, dict]:
    """Rebuild the model of a run from ``config.json`` + ``model.safetensors`` (eval mode)."""
    from safetensors.torch import load_file

    run_dir = Path(run_dir)
    cfg_path, weights = run_dir / "config.json", run_dir / "model.safetensors"
    for p in (cfg_path, weights):
        if not p.is_file():
            raise CrtnetError("not a trained run (missing file)", p)
    try:
        config = json.loads(cfg_path.read_text())
        m = config["model"]
        version = int(config.get("format_version", 1))
    except (ValueError, KeyError, TypeError) as exc:
        raise CrtnetError(f"unreadable run config: {exc}", cfg_path) from None
    if not 1 <= version <= FORMAT_VERSION:
        raise CrtnetError(
            f"run format version {version} is not one this crtnet reads (1-{FORMAT_VERSION}); "
            "upgrade crtnet or retrain",
            cfg_path,
        )
    model = build_model(
        m["name"],
        n_leads=m["n_leads"],
        n_classes=m["n_classes"],
        aux_dim=m.get("aux_dim", 0),
        lead_mask=bool(m.get("lead_mask", False)) if version >= 2 else False,
        **m.get("cfg", {}),
    )
    try:
        model.load_state_dict(load_file(str(weights), device=device))
    except Exception as exc:  # noqa: BLE001 - corrupt or mismatched weights are user files
        raise CrtnetError(f"weights do not fit the config: {exc}", weights) from None
    return model.to(device).eval(), config


@torch.no_grad()
def predict_windows(
    model: torch.nn.Module,
    x,
    window: int,
    stride: int | None = None,
    *,
    aux=None,
    batch_size: int = 256,
) -> tuple[np.ndarray, np.ndarray]:
    """Logits ``[n_windows, K]`` of fixed windows over a record ``x [C, N]`` and their starts.

    The last window is aligned to the record end, so every sample is covered; a record
    shorter than ``window`` is scored once as a padded window with its mask. NaN (samples
    a printout does not show) reach the model: ``lead_mask`` models read them as masked.
    """
    x = torch.as_tensor(np.asarray(x, dtype=np.float32))
    n = x.shape[-1]
    stride = stride or window
    dev = next(model.parameters()).device
    if n <= window:
        xb = torch.nn.functional.pad(x, (0, window - n))[None]
        mask = (torch.arange(window) < n)[None]
        logits = model(xb.to(dev), mask.to(dev), _aux(aux, 1, dev))
        return logits.float().cpu().numpy(), np.array([0])
    starts = list(range(0, n - window + 1, stride))
    if starts[-1] != n - window:
        starts.append(n - window)
    out = []
    for i in range(0, len(starts), batch_size):
        s = starts[i : i + batch_size]
        xb = torch.stack([x[:, j : j + window] for j in s]).to(dev)
        out.append(model(xb, None, _aux(aux, len(s), dev)).float().cpu())
    return torch.cat(out).numpy(), np.asarray(starts)


def _aux(aux, n: int, dev) -> torch.Tensor | None:
    if aux is None:
        return None
    a = torch.as_tensor(np.asarray(aux, dtype=np.float32)).to(dev)
    return a.expand(n, -1) if a.ndim == 1 else a
