"""Upload safety without a server: type by content, header renaming, zip traversal and bombs."""

from __future__ import annotations

import asyncio
import io
import zipfile

import pytest

from crtnet import samples
from crtnet.serve.upload import Part, UploadError, group, receive_parts, sniff, unzip


def _part(tmp_path, name: str, data: bytes) -> Part:
    p = tmp_path / f"raw-{len(list(tmp_path.iterdir()))}"
    p.write_bytes(data)
    return Part(name=name, path=p, size=len(data))


def test_sniff_goes_by_content_not_name(tmp_path, noise_png, csv_bytes):
    assert sniff(_part(tmp_path, "x.csv", noise_png).path, "x.csv") == ".png"  # PNG named .csv
    assert sniff(_part(tmp_path, "x.png", csv_bytes).path, "x.png") == ".csv"
    assert sniff(_part(tmp_path, "x.pdf", b"MZ\x90\x00 not a pdf").path, "x.pdf") is None
    assert sniff(_part(tmp_path, "x.hea", b"just some words\n").path, "x.hea") is None


def test_header_is_rewritten_to_server_names(tmp_path, wfdb_pair):
    parts = [_part(tmp_path, name, data) for _, (name, data) in wfdb_pair]
    (item,) = group(parts)
    assert item.error is None
    assert [stored for _, stored in item.files] == ["rec.hea", "rec.dat"]
    text = item.files[0][0].read_text()
    assert text.split()[0] == "rec" and "00001_lr" not in text.split("\n", 1)[1].split("#")[0]


def test_dat_without_header_and_unknown_type_are_415(tmp_path, wfdb_pair):
    with pytest.raises(UploadError) as e:
        group([_part(tmp_path, "a.dat", wfdb_pair[1][1][1])])
    assert e.value.status == 415 and "needs its .hea" in str(e.value)
    with pytest.raises(UploadError) as e:
        group([_part(tmp_path, "a.txt", b"hello world, this is text\n")])
    assert e.value.status == 415


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_groups_members_and_keeps_bad_ones_as_errors(tmp_path, wfdb_pair, csv_bytes):
    data = _zip(
        {
            "dir/00001_lr.hea": wfdb_pair[0][1][1],
            "dir/00001_lr.dat": wfdb_pair[1][1][1],
            "a.csv": csv_bytes,
            "notes.txt": b"hello there\n",
            "__MACOSX/._a.csv": b"junk",
        }
    )
    items = unzip(
        _part(tmp_path, "b.zip", data).path, "b.zip", tmp_path, max_members=10, max_total=10**8
    )
    names = sorted((i.name, i.error is None) for i in items)
    assert names == [("00001_lr.hea", True), ("a.csv", True), ("notes.txt", False)]


@pytest.mark.parametrize("bad", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "C:/evil.csv"])
def test_zip_traversal_is_refused(tmp_path, csv_bytes, bad):
    path = _part(tmp_path, "t.zip", _zip({bad: csv_bytes})).path
    with pytest.raises(UploadError) as e:
        unzip(path, "t.zip", tmp_path, max_members=10, max_total=10**8)
    assert e.value.status == 422 and "outside the archive" in str(e.value)


def test_zip_bomb_is_refused(tmp_path):
    bomb = _zip({"zeros.csv": b"0" * 20_000_000})  # 20 MB of zeros, ~20 kB packed
    assert len(bomb) < 100_000
    with pytest.raises(UploadError) as e:
        unzip(
            _part(tmp_path, "z.zip", bomb).path,
            "z.zip",
            tmp_path,
            max_members=10,
            max_total=4 * 2**20,
        )
    assert e.value.status == 422 and "unpacks to more than" in str(e.value)


def test_streaming_stops_at_the_limit(tmp_path):
    """The parser refuses as soon as the body crosses the limit, not after reading it all."""
    sent = []

    boundary = "b0und"

    async def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        ).encode()
        for _ in range(1000):  # would be 64 MB if read to the end
            sent.append(1)
            yield b"x" * 65536

    ctype = f"multipart/form-data; boundary={boundary}"
    with pytest.raises(UploadError) as e:
        asyncio.run(receive_parts(ctype, body(), tmp_path, limit=2**20))
    assert e.value.status == 413
    assert len(sent) <= 17  # 1 MB = 16 chunks, then stop


def test_client_file_names_never_reach_the_disk(tmp_path):
    data = (samples.ROOT / "pages/ptbxl-00009-3x4.pdf").read_bytes()
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="../../<script>x.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )

    async def stream():
        yield body

    parts = asyncio.run(
        receive_parts(f"multipart/form-data; boundary={boundary}", stream(), tmp_path, 10**8)
    )
    (p,) = parts
    assert p.name == "<script>x.pdf" and p.path.parent == tmp_path
    assert p.path.read_bytes() == data
    assert [f.name for f in tmp_path.iterdir()] == [p.path.name]
