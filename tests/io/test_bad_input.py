"""Every broken input becomes one CrtnetError line naming the file, never a traceback."""

from __future__ import annotations

import shutil

import pytest

from crtnet.cli.main import main
from crtnet.errors import CrtnetError
from crtnet.io import read_record


@pytest.fixture
def rec100(tmp_path, sample_dir):
    for ext in ("hea", "dat"):
        shutil.copy(sample_dir / f"mitdb/100.{ext}", tmp_path / f"100.{ext}")
    return tmp_path / "100"


def _truncate(path, n):
    data = path.read_bytes()[:n]
    path.write_bytes(data)


def test_truncated_dat(rec100):
    _truncate(rec100.with_suffix(".dat"), 100_000)
    with pytest.raises(CrtnetError, match="truncated") as err:
        read_record(rec100)
    assert "100.dat" in str(err.value)


def test_header_that_lies_about_length(rec100):
    hea = rec100.with_suffix(".hea")
    hea.write_text(hea.read_text().replace("650000", "1000", 1))
    with pytest.raises(CrtnetError, match="header length is wrong"):
        read_record(rec100)


def test_header_promising_more_than_the_file(rec100):
    hea = rec100.with_suffix(".hea")
    hea.write_text(hea.read_text().replace("650000", "700000", 1))
    with pytest.raises(CrtnetError, match="truncated"):
        read_record(rec100)


def test_missing_files(tmp_path, rec100):
    with pytest.raises(CrtnetError, match="file not found"):
        read_record(tmp_path / "nope.csv")
    with pytest.raises(CrtnetError, match="no WFDB header"):
        read_record(tmp_path / "nope.hea")
    rec100.with_suffix(".dat").unlink()
    with pytest.raises(CrtnetError, match="signal file is missing"):
        read_record(rec100)


def test_unknown_lead(rec100):
    hea = rec100.with_suffix(".hea")
    hea.write_text(hea.read_text().replace(" V5", " XYZ"))
    with pytest.raises(CrtnetError, match="unknown lead name 'XYZ'"):
        read_record(rec100)
    assert read_record(rec100, strict_leads=False).leads == ["MLII", "XYZ"]


def test_non_numeric_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("time,I,II\n0,0.1,0.2\n0.002,abc,0.3\n")
    with pytest.raises(CrtnetError, match=r"non-numeric value 'abc' in column 'I' at data row 2"):
        read_record(path)


def test_garbage_files(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"not a zip")
    with pytest.raises(CrtnetError, match="unreadable npz"):
        read_record(tmp_path / "x.npz")
    (tmp_path / "y.hea").write_text("this is not a header\n")
    with pytest.raises(CrtnetError, match="unreadable WFDB header"):
        read_record(tmp_path / "y.hea")
    (tmp_path / "z.txt").write_text("hello")
    with pytest.raises(CrtnetError, match="unknown signal format .txt"):
        read_record(tmp_path / "z.txt")


def test_wrong_sampling_rate(sample_dir):
    with pytest.raises(CrtnetError, match="sampling rate is 360 Hz, not the 500 Hz"):
        read_record(sample_dir / "mitdb/100", fs=500)


def test_cli_info_bad_files_one_line_each(rec100, tmp_path, capsys, sample_dir):
    _truncate(rec100.with_suffix(".dat"), 1000)
    code = main(["info", str(rec100), str(sample_dir / "mitdb/106"), str(tmp_path / "none.csv")])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all(ln.startswith("crtnet: error: ") for ln in lines)
    assert "Traceback" not in err
    assert "100.dat: truncated" in lines[0] and "none.csv: file not found" in lines[1]
    assert "106" in out and "360 Hz" in out  # the good file is still reported
