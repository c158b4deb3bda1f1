"""Paths of the data bundled with crtnet (see README.md in this folder for credits)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent
MITDB = ROOT / "mitdb"
PTBXL = ROOT / "ptbxl"
CINC2021 = ROOT / "cinc2021"
PAGES = ROOT / "pages"  # a rendered PDF and one real phone photo (see README.md)
