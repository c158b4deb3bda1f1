"""One page → files on disk (record + JSON sidecar + overlay), atomically; batch helpers."""

from __future__ import annotations

import json
from pathlib import Path

from crtnet.digitize.load import SUFFIXES
from crtnet.errors import CrtnetError

EXT = {"wfdb": ".hea", "csv": ".csv", "npz": ".npz"}


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given; folders contribute their image/PDF files (sorted, not recursive)."""
    out: list[Path] = []
    for p in inputs:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES))
        else:
            out.append(p)
    return out


def out_stem(src: Path) -> str:
    """The output name: the input's stem, made safe for a WFDB record name if need be."""
    from crtnet.io.wfdb_io import safe_record_name

    return safe_record_name(Path(src).stem)


def sidecar(out_dir: Path, src: Path) -> Path:
    return Path(out_dir) / f"{out_stem(src)}.json"


def is_done(out_dir: Path, src: Path, fmt: str) -> bool:
    """The sidecar is written last, so its presence (with the record) marks a finished page."""
    return sidecar(out_dir, src).exists() and (Path(out_dir) / (out_stem(src) + EXT[fmt])).exists()


def check_out_dir(out_dir: Path) -> None:
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise CrtnetError("--out must be a folder, but a file of that name exists", out_dir)


def outputs_of(
    out_dir: Path, src: Path, fmt: str, overlay: bool = False, name: str | None = None
) -> list[Path]:
    """The files ``digitize_to`` writes for ``src`` (record files, sidecar, overlay)."""
    out_dir, stem = Path(out_dir), name or out_stem(src)
    files = [out_dir / f"{stem}.dat"] if fmt == "wfdb" else []
    files += [out_dir / (stem + EXT[fmt]), out_dir / f"{stem}.json"]
    if overlay:
        files.append(out_dir / f"{stem}-overlay.png")
    return files


def digitize_to(
    src: Path,
    out_dir: Path,
    *,
    fmt: str = "wfdb",
    fs: float = 500,
    layout: str = "auto",
    overlay: bool = False,
    page: int = 0,
    name: str | None = None,
) -> dict:
    """Digitize ``src`` and write its outputs into ``out_dir``; nothing is left on failure.

    ``name`` (a safe WFDB record name) replaces the input's stem, for sharded archives.
    """
    import cv2

    from crtnet.digitize.api import digitize
    from crtnet.io import write_record
    from crtnet.io.atomic import atomic_dir

    if fmt not in EXT:
        raise CrtnetError(f"unknown format {fmt!r} (choose wfdb, csv or npz)")
    check_out_dir(out_dir)
    d = digitize(src, fs=fs, layout=layout, page=page)
    stem = name or out_stem(src)
    with atomic_dir(out_dir) as tmp:
        write_record(d.record, tmp / stem, fmt)
        if overlay:
            img = d.overlay()
            ok = cv2.imwrite(str(tmp / f"{stem}-overlay.png"), img[..., ::-1])
            if not ok:
                raise CrtnetError("could not write the overlay PNG", out_dir)
        side = {"input": str(src), "format": fmt, "fs": fs, **d.info}
        (tmp / f"{stem}.json").write_text(json.dumps(side, indent=2, default=_plain))
    return d.info


def _plain(o):
    from crtnet.jsonable import to_jsonable

    return to_jsonable(o)


def worker(args: tuple) -> tuple[str, str | None, dict | None]:
    """Pool entry point: never raises for a bad page, returns its error line instead.

    A bug (not a ``CrtnetError``) becomes "internal error" with its traceback in the log,
    so one strange file never takes the batch down.
    """
    from crtnet.jobs.kinds import failure_line

    src, out_dir, kw = args[:3]
    log_dir = args[3] if len(args) > 3 else None
    try:
        return str(src), None, digitize_to(Path(src), Path(out_dir), **kw)
    except Exception as exc:  # noqa: BLE001
        return str(src), failure_line(exc, str(src), log_dir), None
