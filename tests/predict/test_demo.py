from __future__ import annotations

from crtnet.cli.main import main


def test_demo_writes_report(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    report = tmp_path / "report.html"
    assert f"report: {report}" in out
    html = report.read_text()
    for part in (
        "Diagnosis: ptbxl-superdiagnostic",
        "Rhythm",
        "Printout with extracted traces",
        "Digitized signals",
        "Model card",
        "data:image/jpeg;base64,",
        "Timings",
        "Reference label",
        "(digitized printout)",
        "(original signal)",
        "held-out test fold (never seen)",
    ):
        assert part in html
    assert html.count("Reference (PTB-XL superdiagnostic, record 54)") == 2  # both paths
    assert "reference (PTB-XL superdiagnostic, record 54): STTC" in out
    assert not list(tmp_path.glob("*.part"))


def test_demo_record_is_held_out_and_its_reference_is_shown(tmp_path):
    """The default demo record never entered the bundled model's training or thresholds."""
    import json

    from crtnet.data.reference import reference_label
    from crtnet.predict.demo import DEFAULT_RECORD
    from crtnet.predict.models import load_model
    from crtnet.predict.report import build_report

    ids = load_model("ptbxl-superdiagnostic").config["protocol"]["ecg_ids"]
    ref = reference_label(DEFAULT_RECORD)
    assert ref is not None and ref["dataset"] == "PTB-XL"
    assert ref["ecg_id"] in ids["test"]
    assert ref["ecg_id"] not in set(ids["train"]) | set(ids["val"])
    assert ref["labels"] == ["STTC"]  # NDT in ptbxl_database.csv
    assert reference_label(tmp_path / "00054_hr") is None  # no database beside it
    pred = {
        "model": {"name": "m"},
        "classes": ["NORM", "MI", "STTC", "CD", "HYP"],
        "probabilities": dict.fromkeys(["NORM", "MI", "STTC", "CD", "HYP"], 0.1),
        "thresholds": None,
    }
    right = {**pred, "predicted": ["STTC"]}
    wrong = {**pred, "model": {"name": "w"}, "predicted": ["NORM"]}
    kw = dict(
        title="t", subtitle="s", page_image=None, record_png=None, rhythm=None,
        quality={}, model_cards={}, timings={},
    )  # fmt: skip
    html = build_report(predictions=[right, wrong], reference=ref, **kw)
    assert html.count("Reference (PTB-XL superdiagnostic, record 54): <b>STTC</b>") == 2
    assert "agrees" in html and "differs: missed STTC; extra NORM" in html
    assert json.dumps(ref)  # JSON-able for the demo's result
    assert "Reference" not in build_report(predictions=[right], reference=None, **kw)
