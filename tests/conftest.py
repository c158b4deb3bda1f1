"""Shared fixtures: bundled samples always, ``../shared/data`` only when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from crtnet import samples

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CRTNET_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _seed():
    np.random.seed(0)
    try:
        import torch

        torch.manual_seed(0)
    except ImportError:  # pragma: no cover
        pass


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return samples.ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The full development data; tests that need it skip with a reason when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"full data not present at {SHARED} (set CRTNET_SHARED_DATA)")
    return SHARED
