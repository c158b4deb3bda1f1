"""The job the server's worker processes run: one stored input → everything the page shows.

It is a ``crtnet.jobs`` kind (``"crtnet.serve.analyse:analyse"``), so time limits, error
lines and bookkeeping are the shared runner's. Outputs go to the analysis' ``out`` folder:
``result.json`` (the ``crtnet predict --json`` object plus measurements), the record as
WFDB and CSV, ``signal.json`` for the page's ECG paper, the overlay and the HTML report.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from crtnet.io.atomic import atomic_path

PAGE_SECONDS = 10.0  # the reading view shows the first 10 s, like a printout


def analyse(input: str, out_dir: str | None, **options: Any) -> tuple[dict, list[str]]:
    from crtnet import __version__
    from crtnet.io import write_record
    from crtnet.jsonable import to_jsonable
    from crtnet.predict.api import load_input, predict_record
    from crtnet.predict.models import load_model
    from crtnet.predict.report import build_report, plot_leads, write_report

    name = options.get("name") or Path(input).name
    out = Path(out_dir or Path(input).parent)
    t0 = time.perf_counter()
    record, quality = load_input(input)
    dig = quality.pop("_digitized", None)
    res = predict_record(record, quality=quality)
    res = json.loads(json.dumps({"input": name, **res, "error": None}, default=to_jsonable))
    timings = {"analysis": time.perf_counter() - t0}
    write_record(record, out / "record")  # record.hea + record.dat
    write_record(record, out / "record.csv")
    outputs: list[Path] = [out / "record.hea", out / "record.dat", out / "record.csv"]
    overlay = None
    if dig is not None and dig.image is not None:
        overlay = _fit_width(dig.overlay(), 1600)
        outputs.append(_write_jpeg(overlay, out / "overlay.jpg"))
    outputs.append(_write_json(page_signal(record), out / "signal.json"))
    rhythm = res.get("rhythm")
    if rhythm and rhythm.get("beat_counts"):
        rhythm = {
            **rhythm,
            "beat_counts": ", ".join(f"{k}: {v}" for k, v in rhythm["beat_counts"].items()),
        }
    html = build_report(
        title=f"crtnet analysis: {name}",
        subtitle=f"model {res['model']['name']} v{res['model']['version']}; crtnet {__version__}",
        page_image=overlay,
        record_png=plot_leads(record, "signals (NaN = not shown on the page)"),
        predictions=[res],
        rhythm=rhythm,
        quality=res["quality"],
        model_cards={res["model"]["name"]: load_model(res["model"]["name"]).card},
        timings=timings,
    )
    outputs.append(write_report(html, out / "report.html"))
    outputs.append(_write_json(res, out / "result.json"))  # last: its presence means done
    return res, [str(p) for p in outputs]


def page_signal(record) -> dict[str, Any]:
    """The first 10 s of every lead at the record's rate, NaN (not shown) as null."""
    n = min(record.n_samples, int(round(PAGE_SECONDS * record.fs)))
    sig = np.round(record.signal[:, :n].astype(np.float64), 4)
    return {
        "fs": record.fs,
        "leads": list(record.leads),
        "seconds": n / record.fs,
        "signal": [[None if not math.isfinite(v) else v for v in row] for row in sig.tolist()],
    }


def _write_json(obj: Any, path: Path) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj))
    return path


def _write_jpeg(image: np.ndarray, path: Path) -> Path:
    import cv2

    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image[..., :3], cv2.COLOR_RGB2BGR))
    if not ok:  # pragma: no cover
        raise RuntimeError("JPEG encoding failed")
    with atomic_path(path) as tmp:
        tmp.write_bytes(buf.tobytes())
    return path


def _fit_width(image: np.ndarray, width: int) -> np.ndarray:
    import cv2

    if image.shape[1] <= width:
        return image
    h = round(image.shape[0] * width / image.shape[1])
    return cv2.resize(image, (width, h), interpolation=cv2.INTER_AREA)
