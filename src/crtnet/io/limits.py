"""Caps on what one input may cost, checked from headers before anything big is loaded.

Why: an archive holds files that claim absurd sizes (a 69-byte PNG "of" 100000x100000
pixels, an ``.npy`` header of 12 x 1e11 samples). Each cap has a default that passes every
real ECG we know of with room to spare, and an environment variable (also set by the CLI
flags named below), so worker processes see the same caps as the command that started them.

======================  =============================  =======================  ==========
cap                     default                        env variable             CLI flag
======================  =============================  =======================  ==========
pixels per page/image   100 M (A4 at 1200 dpi: 140 M)  CRTNET_MAX_PIXELS        --max-pixels
samples x leads loaded  64 M (24 h x 2 leads x 360 Hz) CRTNET_MAX_SAMPLES       --max-samples
CSV columns             64                             CRTNET_MAX_CSV_COLUMNS   (env only)
input file bytes        4 GiB                          CRTNET_MAX_FILE_BYTES    (env only)
long WFDB, in windows   above 8 M samples x leads      CRTNET_LONG_SAMPLES      (env only)
window length           600 s                          CRTNET_WINDOW_S          (env only)
======================  =============================  =======================  ==========

A PDF page is checked as page size x render DPI against the pixel cap. Long WFDB records
(a 24 h Holter) are not refused: ``info`` and ``predict`` read them window by window, so
memory follows the window, not the record.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from crtnet.errors import CrtnetError

_ENV = {
    "max_pixels": "CRTNET_MAX_PIXELS",
    "max_samples": "CRTNET_MAX_SAMPLES",
    "max_csv_columns": "CRTNET_MAX_CSV_COLUMNS",
    "max_file_bytes": "CRTNET_MAX_FILE_BYTES",
    "long_samples": "CRTNET_LONG_SAMPLES",
    "window_s": "CRTNET_WINDOW_S",
}


@dataclass(frozen=True)
class Limits:
    max_pixels: int = 100_000_000
    max_samples: int = 64 * 2**20
    max_csv_columns: int = 64
    max_file_bytes: int = 4 * 2**30
    long_samples: int = 8 * 2**20  # WFDB records above this (samples x leads) go in windows
    window_s: int = 600

    @classmethod
    def current(cls) -> Limits:
        """Defaults, overridden by the environment (how CLI flags reach worker processes)."""
        kw = {}
        for name, var in _ENV.items():
            raw = os.environ.get(var)
            if raw:
                try:
                    kw[name] = int(float(raw))
                except ValueError:
                    raise CrtnetError(f"{var}={raw!r} is not a number") from None
        return cls(**kw)


def set_limits(**caps: int | None) -> None:
    """Set caps for this process and the workers it starts (CLI flags call this)."""
    for name, value in caps.items():
        if value is not None:
            if value <= 0:
                raise CrtnetError(f"--{name.replace('_', '-')} must be positive")
            os.environ[_ENV[name]] = str(int(value))


def check_regular_file(path: str | Path) -> Path:
    """A plain, existing file: a folder, FIFO or device is refused (a FIFO read blocks forever)."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise CrtnetError("file not found", p) from None
    except OSError as exc:
        raise CrtnetError(f"cannot open: {exc.strerror}", p) from None
    if stat.S_ISDIR(st.st_mode):
        raise CrtnetError("is a folder, not a file", p)
    if not stat.S_ISREG(st.st_mode):
        raise CrtnetError("not a regular file (a FIFO, socket or device?)", p)
    if st.st_size > Limits.current().max_file_bytes:
        raise CrtnetError(
            f"file is {st.st_size / 2**30:.1f} GiB, over the "
            f"{Limits.current().max_file_bytes / 2**30:.1f} GiB cap (CRTNET_MAX_FILE_BYTES)",
            p,
        )
    return p


def check_samples(n_leads: int, n_samples: int, path: str | Path | None = None) -> None:
    """Refuse a record whose declared size is over the cap, before it is loaded."""
    cap = Limits.current().max_samples
    if n_leads < 0 or n_samples < 0 or n_leads * n_samples > cap:
        raise CrtnetError(
            f"record declares {n_leads} leads x {n_samples} samples, over the cap of "
            f"{cap:,} samples x leads (raise it with --max-samples or CRTNET_MAX_SAMPLES)",
            path,
        )


def check_pixels(width: float, height: float, path: str | Path | None = None, what="image"):
    cap = Limits.current().max_pixels
    if width * height > cap:
        raise CrtnetError(
            f"{what} is {width:.0f}x{height:.0f} pixels, over the cap of {cap:,} "
            "(raise it with --max-pixels or CRTNET_MAX_PIXELS)",
            path,
        )
