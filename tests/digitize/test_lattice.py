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


def test_a_fold_moves_a_patch_of_nodes_which_stay_while_a_lone_stray_goes():
    """A fold shifts a whole patch of nodes off the page-wide polynomial alike: those are
    the page's shape and stay; one node off by half a cell among its neighbours goes."""
    from crtnet.digitize.lattice import _locally_consistent

    rng = np.random.default_rng(0)
    rx = rng.normal(0, 0.3, (20, 30))
    ry = rng.normal(0, 0.3, (20, 30))
    k, m = np.mgrid[0:20, 0:30]
    fold = 14.0 * np.exp(-((k - 8) ** 2 + (m - 14) ** 2) / (2 * 3.0**2))
    rx += fold  # a fold: up to 0.4 of a 36 px cell, smooth over a few nodes
    ry[15, 5] += 18.0  # a stray: half a cell
    rx[0, :3] = ry[0, :3] = np.nan  # nodes not found
    keep = _locally_consistent(rx, ry, 0.15 * 36)
    assert keep[fold > 4].all()
    assert not keep[15, 5]
    assert not keep[0, :3].any()
    assert keep.mean() > 0.95


def test_a_coarse_scans_lattice_spans_the_page(shared_data):
    """A printout scanned at 3.5 px/mm (5 mm = 17 px, faint lines): single-step chains
    are too short to tie, and the lattice shrank to a strip of 10 x 50 nodes, which held
    one trace row; chains across gaps recover the page."""
    from crtnet.digitize.dewarp import dewarp
    from crtnet.digitize.load import load

    d = dewarp(load(shared_data / "images" / "printouts" / "ecg00017.png")[1])
    assert d is not None
    rows, cols = d.info["lattice_shape"]
    assert rows >= 20 and cols >= 45
    assert d.info["lattice_nodes"] >= 500
