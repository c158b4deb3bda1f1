"""DDP on 2 CPU processes (gloo): the real ``crtnet train`` command launched by torchrun."""

import json
import os
import subprocess
import sys

import numpy as np
from safetensors.torch import load_file

from crtnet import samples


def test_ddp_two_cpu_processes(tmp_path, tiny_train_args):
    from crtnet.data.tasks import get_task

    env = {**os.environ, "OMP_NUM_THREADS": "1", "CRTNET_CACHE": str(tmp_path / "cache")}
    os.environ["CRTNET_CACHE"] = env["CRTNET_CACHE"]
    try:  # build the cache once, so the two ranks only read it
        get_task("mitdb", root=samples.MITDB, protocol="intra")
    finally:
        os.environ.pop("CRTNET_CACHE")
    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "crtnet.cli.main",
        *tiny_train_args(out, 400),
        "--device",
        "cpu",
        "--set",
        "fs=null",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=150, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    hist = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in hist] == [0, 1]
    state = load_file(str(out / "model.safetensors"))
    assert all(np.isfinite(v.numpy()).all() for v in state.values())
    assert json.loads((out / "checkpoint.json").read_text())["done"]
    assert res.stderr.count("epoch 1:") == 1  # only rank 0 reports and writes
