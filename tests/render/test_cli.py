"""``crtnet render``: batches, reruns that skip finished pages, one-line user errors."""

from __future__ import annotations

import json

from crtnet.cli.main import main


def test_render_batch_skip_and_bad_input(sample_dir, tmp_path, capsys):
    rec = sample_dir / "ptbxl" / "records100" / "00000" / "00010_lr.hea"
    out = tmp_path / "out"
    assert main(["render", str(rec), "--out", str(out), "--dpi", "100", "--format", "png,jpg"]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"00010_lr.{e}" for e in ("dat", "hea", "jpg", "json", "png")]
    assert json.loads(capsys.readouterr().out)["pages_written"] == 1
    mtime = (out / "00010_lr.png").stat().st_mtime_ns
    assert main(["render", str(rec), "--out", str(out), "--dpi", "100", "--format", "png,jpg"]) == 0
    assert json.loads(capsys.readouterr().out)["pages_skipped"] == 1
    assert (out / "00010_lr.png").stat().st_mtime_ns == mtime

    # a missing file: one error line, exit 1, the good file of the batch still rendered
    out2 = tmp_path / "out2"
    missing = tmp_path / "nope.hea"
    code = main(["render", str(missing), str(rec), "--out", str(out2), "--dpi", "100"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [f"crtnet: error: {missing}: file not found (no WFDB header .hea)"]
    assert not list(out2.glob("nope*")) and (out2 / "00010_lr.json").exists()
    assert not list(out2.glob(".*"))


def test_render_bad_flag_is_one_line(tmp_path, sample_dir, capsys):
    rec = sample_dir / "mitdb" / "100.hea"
    code = main(["render", str(rec), "--out", str(tmp_path / "o"), "--layout", "9x9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "unknown layout '9x9'" in err[0]
    assert not (tmp_path / "o").exists()


def test_render_mitdb_pages(sample_dir, tmp_path, capsys):
    rec = sample_dir / "mitdb" / "232.hea"
    args = ["render", str(rec), "--out", str(tmp_path), "--layout", "2x1", "--dpi", "100"]
    assert main([*args, "--pages", "2", "--augment", "scan", "--seed", "5"]) == 0
    a = json.loads((tmp_path / "232-p1.json").read_text())
    b = json.loads((tmp_path / "232-p2.json").read_text())
    assert a["start"] == 0 and b["start"] == 10.0
    assert b["leads"][0]["sample_start"] == 3600
    assert a["augment"]["name"] == "scan" and a["augment"]["seed"] != b["augment"]["seed"]


def test_render_reads_csv_and_npz_in_worker_processes(sample_dir, tmp_path, capsys):
    from crtnet.io import read_record, write_record

    rec = read_record(sample_dir / "ptbxl" / "records100" / "00000" / "00030_lr.hea")
    paths = [
        write_record(rec, tmp_path / "in" / "a.csv"),
        write_record(rec, tmp_path / "in" / "b.npz"),
    ]
    out = tmp_path / "out"
    args = ["render", *map(str, paths), "--out", str(out), "--dpi", "100", "--workers", "2"]
    assert main(args) == 0
    for stem in ("a", "b"):
        shown = read_record(out / f"{stem}.hea")
        assert shown.leads == rec.leads and shown.fs == rec.fs


def test_randomize_draws_styles_reproducibly(sample_dir, tmp_path, capsys):
    rec = sample_dir / "mitdb" / "106.hea"
    runs = []
    for out in (tmp_path / "a", tmp_path / "b"):
        args = ["render", str(rec), "--out", str(out), "--dpi", "100", "--pages", "3"]
        assert main([*args, "--randomize", "--seed", "2"]) == 0
        runs.append([json.loads((out / f"106-p{k}.json").read_text()) for k in range(1, 4)])
    assert [t["config"] for t in runs[0]] == [t["config"] for t in runs[1]]
    styles = {(t["layout"], t["grid"], t["augment"].get("name")) for t in runs[0]}
    assert len(styles) > 1 and all(t["layout"] in ("1x1", "2x1") for t in runs[0])
