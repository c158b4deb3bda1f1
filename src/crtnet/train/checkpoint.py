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


def run_steps(
    run_dir: Path,
    model: torch.nn.Module,
    batch_loss,
    *,
    lr: float,
    steps: int,
    seed: int,
    checkpoint_every: int,
    log=print,
    stop_after: int | None = None,
) -> bool:
    """The small trainers' loop: AdamW and a one-cycle schedule for ``steps`` steps, resumed
    from ``run_dir``'s checkpoint, saved every ``checkpoint_every`` steps and at the end.
    ``batch_loss(gen)`` draws a batch from the seeded generator and returns its loss.
    ``stop_after`` ends the call after that many steps, as an interruption would; returns
    whether the run reached ``steps``."""
    import time

    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    step = 0
    if has_checkpoint(run_dir):
        state = load_checkpoint(run_dir, model, opt, None)
        sched.load_state_dict(state["sched"])
        step = state["step"]
        log(f"resuming at step {step}")
    gen = torch.Generator().manual_seed(seed + step)
    t0 = time.perf_counter()
    model.train()
    start = step
    while step < steps:
        if stop_after is not None and step - start >= stop_after:
            return False
        loss = batch_loss(gen)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        if step % checkpoint_every == 0 or step == steps:
            save_checkpoint(run_dir, model, opt, None, {"step": step, "sched": sched.state_dict()})
            log(f"step {step}/{steps} loss {loss.item():.4f} ({time.perf_counter() - t0:.0f} s)")
    model.eval()
    return True
