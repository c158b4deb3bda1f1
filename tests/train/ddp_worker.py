"""Run by test_ddp.py under torchrun: one rank of a tiny DDP training on real beats."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from conftest import cut_beats, make_task  # noqa: E402
from crtnet.train.config import load_config  # noqa: E402
from crtnet.train.loop import fit  # noqa: E402

if __name__ == "__main__":
    s = cut_beats("208", 6)
    cfg = load_config(
        None,
        None,
        model="crtnet_cnn",
        epochs=2,
        batch_size=8,
        threads=1,
        progress=False,
        device="cpu",
        model_cfg={"stem_channels": 8, "channels": [16], "strides": [2]},
    )
    fit(cfg, sys.argv[1], task=make_task(s, s, s))
