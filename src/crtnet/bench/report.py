"""Write one named section of docs/BENCHMARKS.md without touching the others."""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from pathlib import Path

DEFAULT_DOC = Path(__file__).resolve().parents[3] / "docs" / "BENCHMARKS.md"
_HEAD = "# Benchmarks\n\nEvery figure below was printed by the command written next to it.\n"


def machine_line() -> str:
    """Where a figure came from: CPU, cores, Python, torch (when importable), date."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    parts = [cpu, f"{os.cpu_count()} logical cores", f"Python {sys.version.split()[0]}"]
    if "torch" in sys.modules:
        import torch

        parts.append(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        if torch.cuda.is_available():
            parts.append(torch.cuda.get_device_name(0))
    parts.append(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    return "; ".join(parts)


def update_section(name: str, body: str, doc: str | Path | None = None) -> Path:
    """Replace the text between ``<!-- BEGIN name -->`` and ``<!-- END name -->``."""
    doc = Path(doc or os.environ.get("CRTNET_BENCH_DOC", DEFAULT_DOC))
    text = doc.read_text() if doc.exists() else _HEAD
    block = f"<!-- BEGIN {name} -->\n{body.rstrip()}\n<!-- END {name} -->"
    pattern = re.compile(
        rf"<!-- BEGIN {re.escape(name)} -->.*?<!-- END {re.escape(name)} -->", re.S
    )
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    doc.parent.mkdir(parents=True, exist_ok=True)
    tmp = doc.with_suffix(".md.part")
    tmp.write_text(text)
    os.replace(tmp, doc)
    return doc
