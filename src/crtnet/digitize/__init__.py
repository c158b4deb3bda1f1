"""ECG page images and PDFs → calibrated 12-lead signals (no reliance on crtnet.render)."""

from crtnet.digitize.api import Digitized, digitize

__all__ = ["Digitized", "digitize"]
