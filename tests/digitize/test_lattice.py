"""The 5 mm lattice of a photographed page (``crtnet.digitize.lattice``)."""

from __future__ import annotations

import numpy as np

from crtnet.digitize.lattice import _chain_index


def test_a_stray_peak_across_a_lost_line_gets_no_lines_index():
    """Line 3 is lost under a trace, whose baseline peaks 1.75 periods after line 2: that
    stray once took line 4's index (1.25 mm off it). A chain now runs on only from one line
    to the next, so the stray stands alone and the lines after it start their own chain,
    which the neighbouring strips tie to the page's indices."""
    ys = np.array([0.0, 40.0, 80.0, 150.0, 200.0, 240.0, 280.0])
    idx = _chain_index(ys, 40.0)
    assert list(idx[:3]) == [0, 1, 2]
    chains = idx // 10000
    assert chains[3] not in (chains[0], chains[4])  # the stray is a chain of its own
    assert list(idx[4:] - idx[4]) == [0, 1, 2]  # the lines after it count on in steps of one
