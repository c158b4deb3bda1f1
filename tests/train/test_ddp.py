"""DDP on 2 CPU processes (gloo), launched by torchrun exactly as a user would."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from safetensors.torch import load_file


def test_ddp_two_cpu_processes(tmp_path):
    out = tmp_path / "ddp"
    worker = Path(__file__).with_name("ddp_worker.py")
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        str(worker),
        str(out),
    ]
    res = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"OMP_NUM_THREADS": "1", **__import__("os").environ},
    )
    assert res.returncode == 0, res.stderr[-3000:]
    hist = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in hist] == [0, 1]
    state = load_file(str(out / "model.safetensors"))
    assert all(np.isfinite(v.numpy()).all() for v in state.values())
    assert json.loads((out / "checkpoint.json").read_text())["done"]
    assert "epoch 1:" in res.stderr and res.stderr.count("epoch 1:") == 1  # rank 0 reports
