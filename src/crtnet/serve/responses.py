"""How analyses and refusals look on the wire: one JSON shape, one status per outcome."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.responses import JSONResponse, Response

from crtnet.serve.store import Store

DOWNLOADS = {
    "report": ("report.html", "text/html; charset=utf-8"),
    "csv": ("record.csv", "text/csv"),
    "wfdb": (None, "application/zip"),
    "overlay": ("overlay.jpg", "image/jpeg"),
    "signal": ("signal.json", "application/json"),
}
NOTICE = "crtnet is research software, not a medical device."

INFO_FLAGS = re.compile(r"^leads shown only in part|^limb leads derived| used as ")


def warnings(flags: list[str]) -> list[str]:
    """Quality flags that are warnings; how a 3x4 page shows its leads is only a fact."""
    return [f for f in flags if not INFO_FLAGS.search(f)]


def status_of(a: dict) -> int:
    if a["status"] == "ok":
        return 200
    err = a["error"] or ""
    if "timed out after" in err:
        return 504
    if "internal error" in err or "worker process died" in err:
        return 500
    return 422


def body_of(store: Store, a: dict) -> dict:
    """The analysis: id and bookkeeping, then the predict object (or its error shape)."""
    res = store.result(a["id"]) if a["status"] == "ok" else None
    base = {
        "id": a["id"],
        "batch": a["batch"],
        "name": a["name"],
        "status": a["status"],
        "created": a["created"],
        "notice": NOTICE,
    }
    if res is None:
        from crtnet.predict.api import error_result

        res = error_result(a["name"], a["error"])
    files = {k: f"/api/analyses/{a['id']}/files/{k}" for k in DOWNLOADS}
    if res.get("quality", {}) and res["quality"].get("source") != "digitized":
        files.pop("overlay")
    return {**base, **res, "detail": a["error"], "files": files if a["status"] == "ok" else {}}


def busy() -> JSONResponse:
    return JSONResponse(
        {"detail": "the server is busy; try again in a moment"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def err(status: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status)


def attachment(data: bytes, mime: str, filename: str) -> Response:
    return Response(
        data, media_type=mime, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(name).stem)[:60].strip("_")
    return stem or "ecg"
