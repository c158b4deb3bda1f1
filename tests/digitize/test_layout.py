"""Rows of one page share a time axis, whatever junk the tracer followed at their ends."""

import copy

import numpy as np
import pytest

from crtnet.digitize import layout as lay

SPEED = 25.0


def _row(x0: float, x1: float, *, pulse: bool, junk: tuple[float, float] | None = None):
    """A traced row from x0 to x1 mm, with an optional stretch of junk after a blank gap."""
    x = np.arange(0.0, 420.0, 0.125)
    rng = np.random.default_rng(int(x0 * 10 + x1))
    y = np.where((x >= x0) & (x <= x1), 50 + rng.normal(0, 0.3, x.size), np.nan)
    if junk:
        y[(x >= junk[0]) & (x <= junk[1])] = 40.0
    ok = np.isfinite(y)
    tr = lay.Trace(x=x, y=y, baseline=50.0)
    tr.pulse = {"x0": 20.0, "x1": 25.0, "base_y": 50.0, "height_mm": 10.0} if pulse else None
    tr.start = 25.0 if pulse else float(x[ok][0])
    tr.end = float(x[ok][-1])
    return tr


def test_rows_take_the_page_start_and_drop_junk_past_their_end():
    rows = [
        _row(25.0, 275.0, pulse=True, junk=(288.0, 290.0)),  # the page's edge, 13 mm on
        _row(4.0, 275.0, pulse=False),  # the tracer started at a frame line
        _row(25.0, 275.0, pulse=True),
        _row(25.0, 275.0, pulse=True, junk=(281.0, 299.0)),
    ]
    lay.anchor_rows(rows, SPEED)
    assert [round(r.start, 1) for r in rows] == [25.0, 25.0, 25.0, 25.0]
    assert lay.row_span(rows, SPEED) == 10.0
    sig, _, entries = lay.assemble(rows, "3x4+II", SPEED, 10.0, 500.0)
    cols = {e[3]: (e[5], e[6]) for e in entries if e[0] == 4}
    assert cols["V4"] == (7.5, 10.0)
    assert sig.shape[1] == 5000  # 10 s, not the 10.6 s a row's junk would make of it


def test_a_longer_page_needs_two_rows_to_say_so():
    rows = [_row(25.0, 275.0, pulse=True) for _ in range(3)]
    rows.append(_row(25.0, 340.0, pulse=True))  # a scrawl that the tracer followed on
    assert lay.row_span(rows, SPEED) == 10.0
    long = [_row(25.0, 400.0, pulse=True) for _ in range(2)]
    assert lay.row_span(long, SPEED) == 15.0


def test_rows_whose_last_centimetres_were_lost_still_span_whole_columns():
    # photo 01032: every row faded out 16 mm before its end (9.4 s traced); flooring to
    # 7.5 s stretched each column by a third, silently
    rows = [_row(25.0, 259.0, pulse=True) for _ in range(4)]
    assert lay.row_span(rows, SPEED) == 10.0
    # a row that runs only a little into a further column does not make one
    short = [_row(25.0, 25.0 + 7.5 * SPEED + 20.0, pulse=True) for _ in range(3)]
    assert lay.row_span(short, SPEED) == 7.5


def test_a_step_away_from_the_pages_pulses_is_not_a_pulse():
    rows = [_row(25.0, 275.0, pulse=True) for _ in range(3)]
    odd = _row(25.0, 275.0, pulse=True)
    odd.start, odd.pulse["x1"] = 14.0, 14.0
    rows.append(odd)
    lay.anchor_rows(rows, SPEED)
    assert round(odd.start, 1) == 25.0 and odd.pulse is None


def test_the_plateau_most_like_a_pulse_is_the_pulse():
    # photo 02292's third row: the tracer began on the paper's edge, a step 3.7 mm up and
    # 9 mm wide, right before the real 10 mm x 5 mm pulse; the first plateau was taken
    x = np.arange(0.0, 60.0, 0.05)
    y = np.full(x.size, 100.0)
    y[(x >= 1.0) & (x < 10.0)] = 100.0 - 3.7  # the edge's step
    y[(x >= 11.0) & (x < 16.0)] = 100.0 - 10.0  # the pulse: 1 mV at 10 mm/mV, 0.2 s
    tr = lay.Trace(x=x, y=y, baseline=100.0)
    p = lay.find_pulse(tr)
    assert p is not None
    assert abs(p["height_mm"] - 10.0) < 0.3 and abs(p["width_mm"] - 5.0) < 0.3, p


def test_a_pulse_whose_foot_was_misread_takes_the_pages_pulse_height():
    """Of four rows' pulses, one 5.3 mm high where the others are 9.5-10: its foot was read
    on the QRS after it, so 0 mV comes from its top plus the page's pulse height; the
    others keep their own feet, and the rows given are not changed in place."""
    from crtnet.digitize.layout import Trace
    from crtnet.digitize.read import pulse_bases

    x = np.linspace(0, 50, 100)
    rows = []
    for base, h in ((40.0, 9.9), (80.0, 9.1), (120.0, 9.6), (160.0, 5.3)):
        t = Trace(x, np.full_like(x, base), base)
        t.pulse = {"x0": 20.0, "x1": 24.0, "height_mm": h, "width_mm": 4.0, "base_y": base}
        rows.append(t)
    copies = [copy.copy(t) for t in rows]
    got = pulse_bases(copies)
    assert [p["base_y"] for p in got[:3]] == [40.0, 80.0, 120.0]
    top = 160.0 - 5.3
    assert got[3]["base_y"] == pytest.approx(top + np.median([9.9, 9.1, 9.6, 5.3]))
    assert rows[3].pulse["base_y"] == 160.0  # the original row is untouched
    assert pulse_bases(copies[:2]) == [c.pulse for c in copies[:2]]  # two pulses: no vote


def test_the_pulses_falling_edge_is_not_read_as_signal():
    """Photo 02292: a blurred pulse falls over 0.8 mm and the tracer zigzags on the way
    down, so lead I (0.3 mV) began with 1 mV of pulse and its SNR fell to 3 dB. Those
    samples stay unread; the signal after the foot is kept, and so is a panel that starts
    without a pulse."""
    x = np.arange(0.0, 300.0, 0.05)
    y = np.full(x.size, 50.0)
    y[(x >= 20.0) & (x < 25.0)] = 40.0  # the pulse, 10 mm high
    fall = (x >= 25.0) & (x < 25.8)
    y[fall] = np.where(np.arange(fall.sum()) % 4 < 2, 40.5, 47.0)  # zigzag down the edge
    tr = lay.Trace(x=x, y=y, baseline=50.0, start=25.0, end=275.0)
    tr.pulse = {"x0": 20.0, "x1": 25.0, "base_y": 50.0, "height_mm": 10.0, "width_mm": 5.0}
    rows = [copy.deepcopy(tr) for _ in range(3)]
    sig, _, _ = lay.assemble(rows, "3x4", SPEED, 10.0, 500.0, detail=False)
    first = sig[0][: int(0.1 * 500)]  # lead I, the first panel of the first row
    ok = np.isfinite(first)
    assert ok[-10:].all()  # the signal after the foot is read
    assert np.nanmax(np.abs(first)) < 0.05, np.nanmax(first)  # and no pulse in it
    assert abs(lay._fall_end(tr) - 25.0) < 1.2
    for r in rows:
        r.pulse = None
    sig, _, _ = lay.assemble(rows, "3x4", SPEED, 10.0, 500.0, detail=False)
    assert np.nanmax(np.abs(sig[0][:50])) > 0.5  # without a pulse nothing is cut there
