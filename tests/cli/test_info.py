from __future__ import annotations

import json
import subprocess
import sys

from crtnet import __version__
from crtnet.cli.main import main


def test_info_json(sample_dir, capsys):
    assert (
        main(
            [
                "info",
                str(sample_dir / "ptbxl/records100/00000/00001_lr.hea"),
                str(sample_dir / "cinc2021/HR06000.mat"),
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert [d["fs"] for d in data] == [100.0, 500.0]
    assert data[0]["leads"][-1] == "V6" and data[0]["duration_s"] == 10.0
    assert data[1]["labels"] and data[0]["units"] == "mV"


def test_version_and_help_subprocess():
    """The installed console entry point works as a user would call it."""
    exe = [sys.executable, "-m", "crtnet.cli.main"]
    out = subprocess.run([*exe, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"crtnet {__version__}"
    out = subprocess.run([*exe, "info", "--help"], capture_output=True, text=True, check=True)
    assert "--json" in out.stdout


def test_info_no_args_is_usage_error(capsys):
    assert main(["info"]) == 2
