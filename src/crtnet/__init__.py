"""crtnet: ECG printouts, PDFs and signal files to calibrated signals and diagnoses.

``crtnet.api`` mirrors the CLI, one function per command (``api.render``,
``api.digitize``, ``api.train``, ``api.evaluate``, ``api.predict``, ``api.demo``...).
Names that are not also sub-packages are re-exported here; all load on first use, so
``import crtnet`` does not pull in torch or OpenCV.
"""

from crtnet.errors import CrtnetError
from crtnet.io import Record, read_record, write_record

__version__ = "0.1.0"

_API = (
    "info",
    "convert",
    "data_summary",
    "download",
    "render",
    "digitize",
    "train",
    "evaluate",
    "predict",
    "demo",
)

__all__ = ["CrtnetError", "Record", "read_record", "write_record", "__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from crtnet import api

        return getattr(api, name)
    raise AttributeError(f"module 'crtnet' has no attribute {name!r}")
