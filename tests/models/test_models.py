import numpy as np
import pytest
import torch

from crtnet.errors import CrtnetError
from crtnet.models import build_model, model_names, predict_windows

NAMES = [
    "crtnet",
    "crtnet_cnn",
    "crtnet_cnn_gru",
    "crtnet_cnn_transformer",
    "resnet1d_wang",
    "inception1d",
    "bilstm",
]


def test_registry_names():
    assert set(NAMES) <= set(model_names())
    with pytest.raises(CrtnetError):
        build_model("nope", n_leads=1, n_classes=2)
    with pytest.raises(CrtnetError):
        build_model("crtnet", n_leads=13, n_classes=2)
    with pytest.raises(CrtnetError):
        build_model("crtnet", n_leads=1, n_classes=2, no_such_option=3)


@pytest.mark.parametrize("name", NAMES)
def test_shapes_any_leads_and_length(name):
    torch.manual_seed(0)
    for leads, length, aux in [(1, 181, 4), (2, 360, 0), (12, 1000, 0), (3, 517, 2)]:
        m = build_model(name, n_leads=leads, n_classes=5, aux_dim=aux).eval()
        x = torch.randn(2, leads, length)
        a = torch.randn(2, aux) if aux else None
        with torch.no_grad():
            out = m(x, None, a)
        assert out.shape == (2, 5) and torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_padding_with_mask_changes_nothing(name):
    torch.manual_seed(0)
    m = build_model(name, n_leads=2, n_classes=3).eval()
    x = torch.randn(3, 2, 300)
    lengths = [300, 211, 143]
    padded = torch.full((3, 2, 400), 7.0)  # junk in the padding must not leak
    mask = torch.zeros(3, 400, dtype=torch.bool)
    for i, n in enumerate(lengths):
        padded[i, :, :n] = x[i, :, :n]
        mask[i, :n] = True
    with torch.no_grad():
        ref = torch.cat([m(x[i : i + 1, :, :n]) for i, n in enumerate(lengths)])
        got = m(padded, mask)
        unmasked = m(padded)
    assert torch.allclose(ref, got, atol=1e-5), (ref - got).abs().max()
    assert not torch.allclose(ref, unmasked, atol=1e-3)  # the mask is what makes it equal


def test_nan_leads_are_treated_as_zero():
    m = build_model("crtnet", n_leads=3, n_classes=2).eval()
    x = torch.randn(1, 3, 200)
    x0 = x.clone()
    x0[:, 1] = 0
    x[:, 1] = float("nan")
    with torch.no_grad():
        assert torch.equal(m(x), m(x0))


def test_predict_windows_covers_record_and_short_records():
    m = build_model("crtnet_cnn", n_leads=1, n_classes=2).eval()
    logits, starts = predict_windows(m, np.random.randn(1, 1000), window=360, stride=180)
    assert list(starts) == [0, 180, 360, 540, 640] and logits.shape == (5, 2)
    x = np.random.randn(1, 200).astype(np.float32)
    logits, starts = predict_windows(m, x, window=360)
    with torch.no_grad():
        direct = m(torch.from_numpy(x)[None]).numpy()
    assert np.allclose(logits, direct, atol=1e-5) and list(starts) == [0]


def test_crtnet_rhythm_reads_the_neighbours_rr_as_an_ordered_sequence():
    torch.manual_seed(0)
    m = build_model("crtnet_rhythm", n_leads=2, n_classes=4, aux_dim=6, rhythm_tokens=4).eval()
    x, aux = torch.randn(3, 2, 126), torch.rand(3, 6) + 0.5
    with torch.no_grad():
        out = m(x, None, aux)
        flipped = aux.clone()
        flipped[:, 2:] = aux[:, 2:].flip(1)  # same RR values, other order
        assert out.shape == (3, 4) and not torch.allclose(out, m(x, None, flipped))
    again = build_model("crtnet_rhythm", n_leads=2, n_classes=4, aux_dim=6, **m.config())
    assert again.rhythm_tokens == 4
    with pytest.raises(ValueError):
        build_model("crtnet_rhythm", n_leads=2, n_classes=4, aux_dim=3, rhythm_tokens=4)


@pytest.mark.parametrize("name", NAMES)
def test_lead_mask_input_tells_missing_from_flat(name):
    """With lead_mask a model sees 24 channels: NaN (not shown) is not the same as 0 mV."""
    m = build_model(name, n_leads=12, n_classes=5, lead_mask=True).eval()
    x = torch.randn(2, 12, 400)
    x0 = x.clone()
    x0[:, 3:, 100:] = 0
    x[:, 3:, 100:] = float("nan")
    with torch.no_grad():
        a, b = m(x), m(x0)
    assert torch.isfinite(a).all() and not torch.allclose(a, b, atol=1e-4)


def test_run_format_versions(tmp_path, sample_dir, capsys):
    """A run without format_version (mitdb-beats, bundled before it) loads as no-mask, and
    an unknown version is one clear error."""
    import json
    import shutil

    from crtnet.cli.main import main
    from crtnet.models import load_run
    from crtnet.predict.models import WEIGHTS

    run = tmp_path / "old"
    shutil.copytree(WEIGHTS / "mitdb-beats", run)
    conf = json.loads((run / "config.json").read_text())
    assert "format_version" not in conf  # bundled before the run format was versioned
    model, _ = load_run(run)
    assert not getattr(model, "lead_mask", False)
    conf["format_version"] = 99
    (run / "config.json").write_text(json.dumps(conf))
    with pytest.raises(CrtnetError, match="run format version 99"):
        load_run(run)
    assert main(["predict", str(sample_dir / "mitdb/100"), "--model", str(run)]) == 1
    err = capsys.readouterr().err
    assert "run format version 99" in err and "Traceback" not in err


def test_crtnet_embed_drop_and_aux_logits_let_the_head_read_rr_alone():
    torch.manual_seed(0)
    net = build_model(
        "crtnet",
        n_leads=2,
        n_classes=4,
        aux_dim=3,
        embed_drop=1.0,
        aux_logits=True,
        head_dropout=0.0,
    )
    x, aux = torch.randn(8, 2, 126), torch.randn(8, 3)
    net.train()
    a = net(x, None, aux)
    b = net(torch.randn(8, 2, 126), None, aux)  # every beat's signal features dropped
    torch.testing.assert_close(a, b)
    net.eval()  # no dropping at inference: the signal matters again
    assert not torch.allclose(net(x, None, aux), net(torch.randn(8, 2, 126), None, aux))
    assert net.head.aux_logits is not None
