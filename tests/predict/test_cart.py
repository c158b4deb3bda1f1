"""The cart's own measurements travel through predict's result, summary line and report."""

from __future__ import annotations

from pathlib import Path

from crtnet.predict.output import summary_line
from crtnet.predict.report import build_report

SCP = Path(__file__).resolve().parents[1] / "fixtures/formats/scp_ANON000004.SCP"


def test_predict_result_has_cart():
    from crtnet.predict.api import predict

    (res,) = predict([SCP])
    assert res["error"] is None
    assert res["cart"]["measurements"]["qt_ms"] == 360
    line = summary_line(res)
    assert "; cart: HR 75 PR 157 QRS 88 QT 360 QTc 402" in line
    assert res["rhythm"]["heart_rate_bpm"] > 0


def test_report_cart_block_next_to_crtnet():
    cart = {
        "measurements": {"heart_rate_bpm": 75, "qrs_ms": 88},
        "statements": ["sinusrytm", "<b>x</b>"],
        "device": "MDW14",
    }
    html = build_report(
        title="t",
        subtitle="s",
        page_image=None,
        record_png=None,
        predictions=[],
        rhythm={"heart_rate_bpm": 74.6},
        quality={"flags": []},
        model_cards={},
        timings={},
        cart=cart,
    )
    assert "Cart's own measurements (MDW14)" in html
    assert "<tr><th>ventricular rate (bpm)</th><td>75</td><td>75</td></tr>" in html
    assert "<li>&lt;b&gt;x&lt;/b&gt;</li>" in html
    plain = build_report(
        title="t",
        subtitle="s",
        page_image=None,
        record_png=None,
        predictions=[],
        rhythm=None,
        quality={"flags": []},
        model_cards={},
        timings={},
    )
    assert "Cart's own" not in plain
