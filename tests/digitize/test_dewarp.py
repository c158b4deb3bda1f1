"""Dense rectification helpers (``crtnet.digitize.dewarp``)."""

from __future__ import annotations

import numpy as np
from scipy.ndimage import map_coordinates

from crtnet.digitize.dewarp import _upsample


def test_the_pixel_map_is_the_lattices_bilinear_interpolation():
    """The per-pixel map is upsampled from the lattice's nodes by two matrix products (a
    seventh of ``map_coordinates``' time): it must be the same bilinear interpolation."""
    rng = np.random.default_rng(0)
    nodes = rng.normal(0, 1000, (7, 9))
    cell = 40.0
    oh, ow = 6 * 40 + 1, 8 * 40 + 1
    yy, xx = np.mgrid[0:oh, 0:ow].astype(np.float64) / cell
    want = map_coordinates(nodes, [yy, xx], order=1)
    got = _upsample(nodes, cell, oh, ow)
    assert got.shape == (oh, ow) and got.dtype == np.float32
    assert np.abs(got - want).max() < 1e-3 * np.abs(want).max()
    assert got[0, 0] == np.float32(nodes[0, 0]) and got[-1, -1] == np.float32(nodes[-1, -1])
