"""crtnet: ECG printouts, PDFs and signal files to calibrated signals and diagnoses."""

from crtnet.errors import CrtnetError
from crtnet.io import Record, read_record, write_record

__version__ = "0.1.0"

__all__ = ["CrtnetError", "Record", "read_record", "write_record", "__version__"]
