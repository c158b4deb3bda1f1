"""crtnet train + crtnet evaluate end to end on the bundled MIT-BIH records."""

import json

import pytest

from crtnet.cli.main import main


def test_train_then_evaluate(tmp_path, capsys, tiny_train_args):
    pytest.importorskip("crtnet.data.tasks", reason="crtnet.data.tasks not landed yet")
    out = tmp_path / "run"
    args = tiny_train_args(out, 600) + ["--set", "epochs=1"]
    assert main(args) == 0
    assert "validation accuracy" in capsys.readouterr().out
    assert main(["evaluate", str(out), "--split", "test", "--json", "--n-boot", "20"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["n"] > 0 and 0 <= m["accuracy"] <= 1 and set(m["per_class"]) >= {"N", "V"}
    for png in ("training_curves.png", "confusion_val.png", "confusion_test.png", "roc_test.png"):
        assert (out / png).stat().st_size > 1000
    card = (out / "model_card.md").read_text()
    assert "### test" in card and "### val" in card and "MLII" in card
    assert main(args) == 0  # finished run: skipped, not retrained
    assert "already trained" in capsys.readouterr().err


def test_user_errors_are_one_line(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert "not a trained run" in err and "Traceback" not in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("epochs: [1\n")
    assert main(["train", "--config", str(bad), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("crtnet: error:") and "bad.yaml" in err and len(err.splitlines()) == 1
    assert main(["train", "--model", "nope", "--out", str(tmp_path / "o"), "--set", "x"]) == 1
    assert "key=value" in capsys.readouterr().err
