import json

import numpy as np
from safetensors.torch import load_file

from crtnet.train.config import load_config
from crtnet.train.data import EpochBatches
from crtnet.train.loop import fit

TINY = {
    "stem_channels": 8,
    "channels": [16, 16],
    "strides": [2, 2],
    "gru_hidden": 8,
    "d_model": 16,
    "heads": 2,
    "layers": 1,
    "ff_dim": 32,
    "head_hidden": 16,
}


def _cfg(**kw):
    base = dict(
        model="crtnet", model_cfg=TINY, batch_size=8, threads=1, progress=False, balance="none"
    )
    return load_config(None, None, **{**base, **kw})


def test_overfits_real_beats(beat_task, tmp_path):
    cfg = _cfg(
        epochs=60,
        patience=100,
        lr=3e-3,
        weight_decay=0.0,
        batch_size=32,
        model_cfg={**TINY, "dropout": 0.0, "head_dropout": 0.0},
    )
    fit(cfg, tmp_path / "run", task=beat_task)
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())["val"]
    assert len(np.unique(beat_task.train.y)) >= 4  # N, S, V, F (and Q if present)
    assert m["accuracy"] == 1.0, m["confusion"]


def test_resume_continues_identically(beat_task, tmp_path):
    cfg = _cfg(epochs=3, patience=10, balance="sampler", augment=True)
    fit(cfg, tmp_path / "full", task=beat_task)
    fit(cfg, tmp_path / "cut", task=beat_task, stop_after=1)  # "killed" after epoch 0
    assert json.loads((tmp_path / "cut" / "checkpoint.json").read_text())["epoch"] == 0
    fit(cfg, tmp_path / "cut", task=beat_task)
    a = load_file(str(tmp_path / "full" / "checkpoint.safetensors"))
    b = load_file(str(tmp_path / "cut" / "checkpoint.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k].numpy(), b[k].numpy()), k
    ha = json.loads((tmp_path / "full" / "history.json").read_text())
    hb = json.loads((tmp_path / "cut" / "history.json").read_text())
    assert [h["val_loss"] for h in ha] == [h["val_loss"] for h in hb]


def test_run_dir_has_no_pickles_and_reloads(beat_task, tmp_path):
    from crtnet.models import load_run
    from crtnet.train.infer import predict_split

    fit(_cfg(epochs=1), tmp_path / "r", task=beat_task)
    names = {p.name for p in (tmp_path / "r").iterdir()}
    assert {
        "config.json",
        "model.safetensors",
        "model_card.md",
        "metrics.json",
        "history.json",
        "training_curves.png",
        "checkpoint.safetensors",
        "checkpoint.json",
    } <= names
    assert not [n for n in names if n.endswith((".pt", ".pth", ".pkl", ".ckpt"))]
    model, config = load_run(tmp_path / "r")
    assert config["window"] == beat_task.train.x.shape[-1] and config["model"]["aux_dim"] == 5
    logits = predict_split(model, beat_task.val, use_aux=True)
    assert (
        logits.shape == (len(beat_task.val.y), len(beat_task.classes)) and np.isfinite(logits).all()
    )


def test_sampler_shards_are_disjoint_and_reproducible():
    a = [i for _, b in EpochBatches(20, 4, seed=1, rank=0, world=2) for i in b]
    b = [i for _, b in EpochBatches(20, 4, seed=1, rank=1, world=2) for i in b]
    assert len(a) == len(b) == 10 and not set(a) & set(b)
    assert a == [i for _, b in EpochBatches(20, 4, seed=1, rank=0, world=2) for i in b]
