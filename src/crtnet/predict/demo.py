"""The end-to-end demo: bundled record → printout → digitized signals → diagnosis → report.

It is the README's main job, so it must run offline on a fresh clone with nothing but the
package: the record, the weights and the renderer all ship inside crtnet.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from crtnet import samples
from crtnet.data.reference import reference_label
from crtnet.io import read_record

# PTB-XL 54 (NDT: STTC): in the test fold of the bundled model's CV fold 0, so never in its
# training or threshold choice; the demo is an honest held-out case (tests check this)
DEFAULT_RECORD = samples.PTBXL / "records500/00000/00054_hr"


def run_demo(
    out_dir: str | Path = "crtnet-demo",
    *,
    record: str | Path | None = None,
    image: str | Path | None = None,
    layout: str = "3x4+II",
    augment: str = "none",
    seed: int = 0,
) -> dict[str, Any]:
    """Returns paths and results; ``image`` skips rendering and digitizes that file."""
    from crtnet.digitize import digitize
    from crtnet.digitize.metric import challenge_snr
    from crtnet.predict.api import predict_record
    from crtnet.predict.models import load_model
    from crtnet.predict.report import build_report, plot_leads, write_report

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    original, reference = None, None
    if image is None:
        from crtnet.render import RenderConfig, render_page

        original = read_record(record or DEFAULT_RECORD)
        reference = reference_label(record or DEFAULT_RECORD)
        timings["read record"] = time.perf_counter() - t
        t = time.perf_counter()
        page = render_page(original, RenderConfig(layout=layout, augment=augment), seed=seed)
        stem = original.record_id or "page"
        page.save(out, stem, ("png",))
        image = out / f"{stem}.png"
        timings["render printout"] = time.perf_counter() - t
        t = time.perf_counter()
    dig = digitize(image, fs=500)
    timings["digitize"] = time.perf_counter() - t
    t = time.perf_counter()
    conf = dig.info.get("confidence", {})
    quality = {
        "source": "digitized",
        "layout": dig.info.get("layout"),
        "calibration": dig.info.get("calibration"),
        "digitization_confidence": round(sum(conf.values()) / len(conf), 3) if conf else None,
    }
    if original is not None:
        shown = read_record(out / f"{Path(image).stem}")  # what the page shows (NaN elsewhere)
        quality["digitization_snr_db"] = round(challenge_snr(shown, dig.record)["snr_db"], 2)
    result = predict_record(dig.record, quality=quality)
    timings["classify"] = time.perf_counter() - t
    predictions = [{"input": str(image), **result}]
    if original is not None:
        t = time.perf_counter()
        ref = predict_record(original, result["model"]["name"])
        ref["model"] = {**ref["model"], "name": f"{ref['model']['name']} (original signal)"}
        predictions.append({"input": str(original.source), **ref})
        timings["classify original signal"] = time.perf_counter() - t
    t = time.perf_counter()
    cards = {result["model"]["name"]: load_model(result["model"]["name"]).card}
    try:
        cards["mitdb-beats"] = load_model("mitdb-beats").card
    except Exception:  # noqa: BLE001 - the rhythm model is optional in a custom install
        pass
    overlay = _fit_width(dig.overlay(), 1400)
    leads_png = plot_leads(dig.record, "digitized from the printout (NaN = not shown)")
    timings["report figures"] = time.perf_counter() - t
    rhythm = result.get("rhythm")
    if rhythm and rhythm.get("beat_counts"):
        rhythm = {
            **rhythm,
            "beat_counts": ", ".join(f"{k}: {v}" for k, v in rhythm["beat_counts"].items()),
        }
    subtitle = (
        f"input {image}; layout {quality['layout']}; "
        f"model {result['model']['name']} v{result['model']['version']}"
    )
    if original is not None:
        subtitle += _split_note(original, load_model(result["model"]["name"]).config)
    name = f"{result['model']['name']} (digitized printout)"
    predictions[0] = {**predictions[0], "model": {**result["model"], "name": name}}
    html = build_report(
        title="crtnet: ECG printout → diagnosis",
        subtitle=subtitle,
        page_image=overlay,
        record_png=leads_png,
        predictions=predictions,
        rhythm=rhythm,
        quality=result["quality"],
        model_cards=cards,
        timings=timings,
        cart=original.meta.get("cart") if original is not None else None,
        reference=reference,
    )
    report = write_report(html, out / "report.html")
    return {
        "report": report,
        "image": image,
        "predictions": predictions,
        "reference": reference,
        "timings": timings,
    }


def _fit_width(image, width: int):
    """Keep the report small: a page at 200 DPI is 2200 px wide."""
    import cv2

    if image.shape[1] <= width:
        return image
    h = round(image.shape[0] * width / image.shape[1])
    return cv2.resize(image, (width, h), interpolation=cv2.INTER_AREA)


def _split_note(record, config: dict) -> str:
    """Say whether the model saw this PTB-XL record in training: a demo must not hide it."""
    ids = config.get("protocol", {}).get("ecg_ids", {})
    try:
        eid = int(record.record_id.split("_")[0])
    except ValueError:
        return ""
    split = next((name for name, members in ids.items() if eid in members), None)
    if split is None:
        return ""
    if split == "test":
        return f"; PTB-XL record {eid} is in the model's held-out test fold (never seen)"
    return (
        f"; note: PTB-XL record {eid} was in the model's {split} split, so this is not a "
        "held-out result (see the model card for those)"
    )
