"""The ASGI app: page, JSON API and downloads over the shared job runner.

Uploads are streamed to disk (``upload.py``), each ECG becomes one analysis in ``Store``
and one ``crtnet.jobs`` job in a bounded pool of processes. A full pool answers 503 at
once instead of queueing without bound; a job past the time limit is killed by the runner.
"""

from __future__ import annotations

import asyncio
import io
import re
import secrets
import shutil
import zipfile
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from crtnet.jobs import Job, JobPool, JobResult
from crtnet.serve.config import ServeConfig
from crtnet.serve.responses import (
    DOWNLOADS,
    NOTICE,
    attachment,
    body_of,
    busy,
    err,
    safe_stem,
    status_of,
    warnings,
)
from crtnet.serve.store import Store
from crtnet.serve.upload import Item, UploadError, group, receive_parts, unzip

JOB_KIND = "crtnet.serve.analyse:analyse"


def create_app(cfg: ServeConfig) -> FastAPI:
    cfg.check()
    state: dict[str, Any] = {"inflight": 0}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        store = Store(cfg.data)
        _fail_interrupted(store)
        state["store"] = store
        state["pool"] = JobPool(
            workers=cfg.workers, time_limit=cfg.time_limit_s, log_dir=store.root / "logs"
        )
        task = asyncio.create_task(_retention_loop(store, cfg)) if cfg.retention_days else None
        try:
            yield
        finally:
            if task:
                task.cancel()
            await run_in_threadpool(state["pool"].close)
            store.close()

    app = FastAPI(
        title="crtnet serve",
        version=_version(),
        description=f"ECG images, PDFs and signal files to diagnoses. {NOTICE}",
        docs_url=None,  # Swagger/ReDoc load scripts from a CDN; the page must work offline
        redoc_url=None,
        lifespan=lifespan,
    )
    static = resources.files("crtnet.serve") / "static"

    @app.middleware("http")
    async def auth(request: Request, call_next):
        path = request.url.path
        public = path in ("/healthz", "/") or path.startswith("/static/")
        if cfg.needs_token and not public:
            given = request.headers.get("authorization", "")
            want = f"Bearer {cfg.token}"
            if not secrets.compare_digest(given.encode(), want.encode()):
                return JSONResponse(
                    {"detail": "missing or wrong token (Authorization: Bearer ...)"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'",
        )
        return response

    @app.get("/healthz")
    async def healthz() -> dict:
        """Liveness (open, no token): the pool's size and how many jobs are in flight."""
        return {"status": "ok", "workers": cfg.workers, "inflight": state["inflight"]}

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(str(static / "index.html"), media_type="text/html")

    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.post("/api/analyses")
    async def create(request: Request) -> JSONResponse:
        """Upload one ECG (multipart field ``file``, twice for ``.hea`` + ``.dat``) or a zip.

        One ECG: the analysis (``id`` + the ``crtnet predict --json`` object). A zip: a batch,
        ``{"batch": id, "analyses": [...]}``. 413 too big, 415 wrong type, 422 not an ECG,
        503 busy.
        """
        store: Store = state["store"]
        limit = cfg.workers + cfg.queue
        if state["inflight"] >= limit:
            return busy()
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cfg.max_upload_bytes + 65536:
            return err(413, f"upload is larger than the limit of {cfg.max_upload_mb:g} MB")
        tmp = store.tmp / secrets.token_hex(16)
        tmp.mkdir()
        try:
            parts = await receive_parts(
                request.headers.get("content-type", ""),
                request.stream(),
                tmp,
                cfg.max_upload_bytes,
            )
            zipped = [p for p in parts if _is_zip(p.path, p.name)]
            if zipped and len(parts) > 1:
                raise UploadError(415, "upload a zip on its own, not with other files")
            if zipped:
                items = await run_in_threadpool(
                    unzip,
                    parts[0].path,
                    parts[0].name,
                    tmp,
                    max_members=cfg.max_zip_members,
                    max_total=int(cfg.max_upload_bytes * cfg.zip_expand),
                )
                if not items:
                    raise UploadError(422, f"{parts[0].name}: the zip holds no files")
            else:
                items = await run_in_threadpool(group, parts)
            if state["inflight"] + sum(i.error is None for i in items) > limit:
                return busy()
            batch = secrets.token_hex(16) if zipped else None
            jobs = [_start(store, state, cfg, item, batch) for item in items]
        except UploadError as exc:
            return err(exc.status, str(exc))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        done = await asyncio.gather(*jobs)
        if not zipped:
            status, body = done[0]
            return JSONResponse(body, status_code=status)
        return JSONResponse({"batch": batch, "analyses": [b for _, b in done]})

    @app.get("/api/analyses")
    async def list_analyses(limit: int = 200) -> dict:
        """Earlier analyses, newest first, with their predicted classes and heart rate."""
        store: Store = state["store"]
        rows = store.list(limit)
        for r in rows:
            res = store.result(r["id"]) or {}
            r["predicted"] = res.get("predicted", [])
            r["heart_rate_bpm"] = (res.get("measurements") or {}).get("heart_rate_bpm")
            r["flags"] = len(warnings((res.get("quality") or {}).get("flags", [])))
        return {"analyses": rows, "notice": NOTICE}

    @app.get("/api/analyses/{aid}")
    async def get_analysis(aid: str) -> JSONResponse:
        store: Store = state["store"]
        a = store.get(aid)
        if a is None:
            return err(404, "no such analysis")
        return JSONResponse(body_of(store, a))

    @app.delete("/api/analyses/{aid}")
    async def delete_analysis(aid: str) -> dict:
        store: Store = state["store"]
        a = store.get(aid)
        if a is None:
            return err(404, "no such analysis")
        if a["status"] in ("pending", "running"):
            return err(409, "the analysis is still running; delete it when it has finished")
        store.delete(aid)
        return {"deleted": aid}

    @app.get("/api/analyses/{aid}/files/{what}")
    async def download(aid: str, what: str) -> Response:
        """``report`` (HTML), ``csv``, ``wfdb`` (zip of .hea + .dat), ``overlay``, ``signal``."""
        store: Store = state["store"]
        a = store.get(aid)
        if a is None or what not in DOWNLOADS:
            return err(404, "no such analysis or file")
        fname, mime = DOWNLOADS[what]
        out = store.folder(aid) / "out"
        stem = safe_stem(a["name"])
        if what == "wfdb":
            if not (out / "record.hea").exists():
                return err(404, "no record for this analysis")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                hea = (out / "record.hea").read_text().replace("record", stem, 1)
                hea = re.sub(r"^record\.dat", f"{stem}.dat", hea, flags=re.M)
                z.writestr(f"{stem}.hea", hea)
                z.write(out / "record.dat", f"{stem}.dat")
            return attachment(buf.getvalue(), mime, f"{stem}-wfdb.zip")
        path = out / fname
        if not path.exists():
            return err(404, f"no {what} for this analysis")
        if what in ("overlay", "signal"):
            return FileResponse(str(path), media_type=mime)
        return attachment(path.read_bytes(), mime, f"{stem}-{fname}")

    return app


def _start(store: Store, state: dict, cfg: ServeConfig, item: Item, batch: str | None):
    """Store the item's files under server names and return a coroutine for its result."""
    first_ext = Path(item.files[0][1]).suffix if item.files else ".bin"
    aid, dest = store.create(
        item.name, f"{'rec' if first_ext == '.hea' else 'upload'}{first_ext}", batch
    )
    for tmp_path, stored in item.files:
        shutil.move(str(tmp_path), str(dest.parent / stored))
    if item.error:
        store.manifest.record(
            JobResult(input=str(dest), kind=JOB_KIND, status="failed", error=item.error)
        )
    else:
        state["inflight"] += 1  # reserved now, before any await, so 503 cannot be raced
        store.manifest.mark_running([str(dest)])

    async def finish() -> None:
        job = Job(JOB_KIND, str(dest), str(store.folder(aid) / "out"), {"name": item.name})
        try:
            res = await asyncio.wrap_future(state["pool"].submit(job))
        finally:
            state["inflight"] -= 1
        if res.error:
            res.error = res.error.replace(str(dest), item.name)
        store.manifest.record(res)

    async def run() -> tuple[int, dict]:
        if not item.error:
            # A client that hangs up must not leave the analysis "running": the bookkeeping
            # runs in its own task, which the request only waits for.
            task = asyncio.ensure_future(finish())
            state.setdefault("tasks", set()).add(task)
            task.add_done_callback(state["tasks"].discard)
            await asyncio.shield(task)
        a = store.get(aid)
        return status_of(a), body_of(store, a)

    return run()


def _fail_interrupted(store: Store) -> None:
    """Jobs that were running when the server stopped will never finish: say so."""
    for row in list(store.manifest.rows("running")) + list(store.manifest.rows("pending")):
        store.manifest.record(
            JobResult(
                input=row["input"],
                kind=JOB_KIND,
                status="failed",
                error="interrupted by a server restart; upload it again",
            )
        )


async def _retention_loop(store: Store, cfg: ServeConfig) -> None:
    while True:
        store.purge(cfg.retention_days)
        await asyncio.sleep(3600)


def _is_zip(path: Path, name: str) -> bool:
    from crtnet.serve.upload import sniff

    return sniff(path, name) == ".zip"


def _version() -> str:
    from crtnet import __version__

    return __version__
