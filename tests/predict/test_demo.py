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
    ):
        assert part in html
    assert not list(tmp_path.glob("*.part"))
