"""Models by name (``build_model``), run loading (``load_run``) and window inference.

Every model takes ``x [B, C, T]`` (1-12 leads, any length), an optional ``mask [B, T]``
(True = valid, right padding) and optional ``aux [B, F]`` side features, and returns
logits ``[B, K]``: softmax for single-label tasks, sigmoid for multi-label ones.
"""

from crtnet.models.inference import load_run, predict_windows
from crtnet.models.registry import build_model, model_names, register

__all__ = ["build_model", "load_run", "model_names", "predict_windows", "register"]
