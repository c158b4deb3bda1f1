"""The Python API: one function per CLI command, same arguments, results as objects.

``import crtnet`` stays light; each function imports its stage (torch, OpenCV) on use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def info(path: str | Path, **read_options: Any) -> dict:
    """``crtnet info``: what a file holds (leads, fs, duration, units, labels)."""
    from crtnet.io import read_record

    return {"path": str(path), **read_record(path, **read_options).summary()}


def convert(
    path: str | Path, to: str, out_dir: str | Path, *, median: bool = False, **kw: Any
) -> Path:
    """``crtnet convert``: one file → WFDB/CSV/EDF plus a JSON sidecar; returns the signal file."""
    from crtnet.io.convert import convert_file

    return convert_file(path, to, out_dir, median=median, **kw)


def data_summary(dataset: str, root: Any = None, *, use_cache: bool = True, **kw: Any) -> dict:
    """``crtnet data summary``: class counts and splits of a dataset."""
    from crtnet.data.registry import get_dataset

    cls, arg = get_dataset(dataset)
    if arg:
        kw = {"arg": arg, **kw}
    return cls.summary(root, use_cache=use_cache, **kw)


def download(name: str, root: str | Path, **kw: Any) -> dict:
    """``crtnet data download``: fetch and verify a PhysioNet database."""
    from crtnet.data.download import download as _download

    return _download(name, root, **kw)


def render(record: Any, config: Any = None, *, seed: int = 0, **config_fields: Any):
    """``crtnet render``: a Record (or a signal file) printed as a page with ground truth."""
    from crtnet.io import Record, read_record
    from crtnet.render import RenderConfig, render_page

    rec = record if isinstance(record, Record) else read_record(record)
    return render_page(rec, config or RenderConfig(**config_fields), seed=seed)


def digitize(source: Any, *, fs: float = 500, layout: str = "auto", page: int = 0):
    """``crtnet digitize``: an image, PDF page or RGB array → ``Digitized`` (.record, .info)."""
    from crtnet.digitize import digitize as _digitize

    return _digitize(source, fs=fs, layout=layout, page=page)


def train(
    out_dir: str | Path,
    *,
    config: str | Path | None = None,
    overrides: list[str] | None = None,
    **fields: Any,
) -> dict:
    """``crtnet train``: YAML config < keyword fields < ``key=value`` overrides."""
    from crtnet.train.config import load_config
    from crtnet.train.loop import fit

    return fit(load_config(config, overrides, **fields), out_dir)


def evaluate(run_dir: str | Path, split: str = "test", **kw: Any) -> dict:
    """``crtnet evaluate``: metrics, bootstrap intervals and plots of a trained run."""
    from crtnet.evaluate import evaluate_run

    return evaluate_run(run_dir, split, **kw)


def predict(inputs: Any, model: str | None = None, **kw: Any) -> list[dict]:
    """``crtnet predict``: images, PDFs or signal files → the documented result objects."""
    from crtnet.predict.api import predict as _predict

    items = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    return _predict(items, model, **kw)


def demo(out_dir: str | Path = "crtnet-demo", **kw: Any) -> dict:
    """``crtnet demo``: render → digitize → classify a bundled record; returns the report path."""
    from crtnet.predict.demo import run_demo

    return run_demo(out_dir, **kw)
