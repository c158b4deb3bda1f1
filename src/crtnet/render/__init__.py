"""ECG printout renderer: Records → pages (PNG/JPEG/PDF/vector PDF) with exact ground truth.

``render_page(record, RenderConfig(...), seed=0)`` draws one page; ``Page.save`` writes the
image files, the ground-truth JSON and a WFDB record of exactly what the page shows.
"""

from crtnet.render.augment import PRESETS, AugmentConfig
from crtnet.render.layouts import LAYOUTS, Layout, get_layout, register_layout
from crtnet.render.page import Page, RenderConfig, render_page
from crtnet.render.randomize import random_config

__all__ = [
    "PRESETS",
    "AugmentConfig",
    "LAYOUTS",
    "Layout",
    "Page",
    "RenderConfig",
    "get_layout",
    "register_layout",
    "random_config",
    "render_page",
]
