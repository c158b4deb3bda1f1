"""Resumable checkpoints without pickle: tensors in safetensors, everything else in JSON.

The optimizer state dict is flattened (``optim.<param>.<key>`` tensors + param groups in
JSON), and torch's RNG state is stored so dropout after a resume matches an unbroken run.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from crtnet.errors import CrtnetError
from crtnet.io.atomic import atomic_path

CKPT_T, CKPT_J = "checkpoint.safetensors", "checkpoint.json"


def save_weights(model: torch.nn.Module, path: Path) -> None:
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        save_file(state, str(tmp))


def save_checkpoint(run_dir: Path, model, optimizer, scaler, state: dict) -> None:
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    opt = optimizer.state_dict()
    for pid, pstate in opt["state"].items():
        for key, val in pstate.items():
            t = val if torch.is_tensor(val) else torch.tensor(val)
            tensors[f"optim.{pid}.{key}"] = t.detach().cpu().contiguous()
    tensors["rng.torch"] = torch.get_rng_state()
    meta = dict(
        state,
        param_groups=opt["param_groups"],
        scaler=scaler.state_dict() if scaler is not None and scaler.is_enabled() else None,
    )
    # Tensors first, JSON last: a JSON that exists always has its tensors.
    with atomic_path(run_dir / CKPT_T) as tmp:
        save_file(tensors, str(tmp))
    with atomic_path(run_dir / CKPT_J) as tmp:
        tmp.write_text(json.dumps(meta, indent=1))


def has_checkpoint(run_dir: Path) -> bool:
    return (run_dir / CKPT_J).is_file() and (run_dir / CKPT_T).is_file()


def load_checkpoint(run_dir: Path, model, optimizer, scaler) -> dict:
    """Restore model, optimizer, scaler and RNG in place; return the JSON state."""
    try:
        meta = json.loads((run_dir / CKPT_J).read_text())
        tensors = load_file(str(run_dir / CKPT_T))
    except Exception as exc:  # noqa: BLE001 - a damaged checkpoint is the user's file
        raise CrtnetError(f"cannot read checkpoint: {exc}", run_dir / CKPT_J) from None
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    state: dict[int, dict] = {}
    for k, v in tensors.items():
        if k.startswith("optim."):
            _, pid, key = k.split(".", 2)
            state.setdefault(int(pid), {})[key] = v
    optimizer.load_state_dict({"state": state, "param_groups": meta.pop("param_groups")})
    sc = meta.pop("scaler", None)
    if sc is not None and scaler is not None:
        scaler.load_state_dict(sc)
    torch.set_rng_state(tensors["rng.torch"])
    return meta
