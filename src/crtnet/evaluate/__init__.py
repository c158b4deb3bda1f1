"""Metrics, plots and model cards for trained runs (``crtnet evaluate``)."""

from crtnet.evaluate.metrics import compute_metrics
from crtnet.evaluate.run import evaluate_run

__all__ = ["compute_metrics", "evaluate_run"]
