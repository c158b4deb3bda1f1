"""The built-in job kinds: digitize one page, predict one input."""

from __future__ import annotations

import json
from pathlib import Path

from crtnet.errors import CrtnetError
from crtnet.jobs.kinds import register


@register("digitize")
def digitize_job(input: str, out_dir: str | None, **options) -> tuple[dict, list[str]]:
    """Options as ``crtnet.digitize.batch.digitize_to`` (fmt, fs, layout, overlay, page)."""
    from crtnet.digitize.batch import digitize_to, outputs_of

    if out_dir is None:
        raise CrtnetError("a digitize job needs an output folder")
    src = Path(input)
    info = digitize_to(src, Path(out_dir), **options)
    fmt, overlay = options.get("fmt", "wfdb"), options.get("overlay", False)
    outs = outputs_of(Path(out_dir), src, fmt, overlay, options.get("name"))
    return info, [str(p) for p in outs]


@register("predict")
def predict_job(input: str, out_dir: str | None, **options) -> tuple[dict, list[str]]:
    """Options: ``model``, ``fs``, ``name``. With ``out_dir``, the result is also written as
    ``out_dir/NAME.json`` (NAME defaults to the input's stem)."""
    from crtnet.io.atomic import atomic_path
    from crtnet.jsonable import to_jsonable
    from crtnet.predict.api import _is_long, load_input, predict_record

    model = options.get("model")
    if _is_long(input):
        from crtnet.predict.long import predict_long

        res = predict_long(input, model)
    else:
        record, quality = load_input(input, fs=options.get("fs"))
        quality.pop("_digitized", None)
        res = {"input": str(input), **predict_record(record, model, quality=quality), "error": None}
    res = json.loads(json.dumps(res, default=to_jsonable))
    outputs = []
    if out_dir is not None:
        dest = Path(out_dir) / f"{options.get('name') or Path(input).stem}.json"
        with atomic_path(dest) as tmp:
            tmp.write_text(json.dumps(res, indent=2))
        outputs.append(str(dest))
    return res, outputs
