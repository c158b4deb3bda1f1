"""One ``json.dumps(default=...)`` hook for numpy scalars/arrays and paths, used everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def to_jsonable(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
