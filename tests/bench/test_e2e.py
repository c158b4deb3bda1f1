"""``crtnet bench e2e`` scores each model only on records it never trained on."""

from __future__ import annotations

from typer.testing import CliRunner

from crtnet.cli.main import app


def test_a_model_without_a_test_fold_is_refused(tmp_path):
    # the bundled model trains on every record but the demo record: scoring it on "its
    # test fold" would score records it saw, so the bench asks for CV fold runs instead
    doc = tmp_path / "BENCH.md"
    res = CliRunner().invoke(
        app,
        ["bench", "e2e", "--root", str(tmp_path), "--model", "ptbxl-superdiagnostic"],
        env={"CRTNET_BENCH_DOC": str(doc)},
    )
    assert res.exit_code != 0
    msg = str(res.exception)
    assert "1 test records" in msg and "CV fold run" in msg
    assert not doc.exists()
