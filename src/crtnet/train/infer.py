"""Scoring a whole split in batches (no gradient, eval mode)."""

from __future__ import annotations

import numpy as np
import torch

from crtnet.train.data import loader


@torch.no_grad()
def predict_split(
    model: torch.nn.Module,
    split,
    *,
    use_aux: bool,
    batch_size: int = 512,
    device: str | torch.device = "cpu",
    amp_dtype=None,
) -> np.ndarray:
    """Logits [N, K] in the split's order."""
    model.eval()
    keep_nan = bool(getattr(model, "lead_mask", False))  # LeadMasked reads NaN as "not shown"
    dl, _ = loader(split, batch_size, use_aux=use_aux, keep_nan=keep_nan)
    out = []
    dev = torch.device(device)
    for b in dl:
        x = b["x"].to(dev)
        aux = b["aux"].to(dev) if "aux" in b else None
        with torch.autocast(dev.type, dtype=amp_dtype, enabled=amp_dtype is not None):
            out.append(model(x, None, aux).float().cpu())
    return torch.cat(out).numpy() if out else np.zeros((0, 0), np.float32)


def to_probs(logits: np.ndarray, multilabel: bool) -> np.ndarray:
    t = torch.from_numpy(np.asarray(logits, dtype=np.float32))
    return (torch.sigmoid(t) if multilabel else torch.softmax(t, 1)).numpy()
