"""Hospital ECG formats, registered by name and recognised from their first bytes.

A cart's file name says little (``.xml`` is MUSE, Philips or aECG; DICOM files often have
no suffix), so the content decides. Each reader returns a ``Record`` in mV with the cart's
measurements in ``meta["cart"]`` (schema in ``cart.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crtnet.errors import CrtnetError
from crtnet.io.record import Record
from crtnet.io.xmlsafe import root_tag

VENDOR_SUFFIXES = (".xml", ".dcm", ".scp", ".edf", ".bdf")
KNOWN_KINDS = "GE MUSE/CardioSoft, Philips or HL7 aECG XML, DICOM waveform, SCP-ECG, EDF"
_XML_ROOTS = {
    "RestingECG": "ge_muse",
    "restingecgdata": "philips_xml",
    "AnnotatedECG": "hl7_aecg",
    "CardiologyXML": "ge_cardiosoft",
}


@dataclass(frozen=True)
class Reader:
    name: str
    load: Callable[..., Record]
    has_median: bool
    library: str


def _muse(path, **kw):
    from crtnet.io.muse_io import read_muse

    return read_muse(path, **kw)


def _cardiosoft(path, **kw):
    from crtnet.io.cardiosoft_io import read_cardiosoft

    return read_cardiosoft(path, **kw)


def _philips(path, **kw):
    from crtnet.io.philips_io import read_philips

    return read_philips(path, **kw)


def _aecg(path, **kw):
    from crtnet.io.aecg_io import read_aecg

    return read_aecg(path, **kw)


def _dicom(path, **kw):
    from crtnet.io.dicom_io import read_dicom

    return read_dicom(path, **kw)


def _scp(path, **kw):
    from crtnet.io.scp_io import read_scp

    return read_scp(path, **kw)


def _edf(path, waveform: str = "rhythm", **kw):
    from crtnet.io.edf_io import read_edf

    if waveform != "rhythm":
        raise CrtnetError("EDF files hold no median beat", path)
    return read_edf(path, **kw)


READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Reader("ge_muse", _muse, True, "crtnet (xml + base64)"),
        Reader("ge_cardiosoft", _cardiosoft, True, "crtnet (xml)"),
        Reader("philips_xml", _philips, True, "crtnet (XLI decoder)"),
        Reader("hl7_aecg", _aecg, True, "crtnet (xml)"),
        Reader("dicom", _dicom, True, "pydicom"),
        Reader("scp_ecg", _scp, True, "crtnet (Huffman decoder)"),
        Reader("edf", _edf, False, "edfio"),
    )
}


def sniff(path: str | Path) -> str | None:
    """The format name from the file's first bytes, or None for anything else."""
    p = Path(path)
    if not p.is_file():
        return None
    with open(p, "rb") as fh:
        head = fh.read(4096)
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if len(head) >= 22 and head[16:22] == b"SCPECG":
        return "scp_ecg"
    if head[:8] in (b"0       ", b"\xffBIOSEMI") and head[184:192].strip().isdigit():
        return "edf"  # version field, and the header-size field holds a number
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    if stripped[:1] == b"<" or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        tag = root_tag(p, head)
        if tag in _XML_ROOTS:
            return _XML_ROOTS[tag]
    return None


def read_vendor(
    path: str | Path, fmt: str, *, waveform: str = "rhythm", strict_leads: bool = True
) -> Record:
    """Read a hospital-format file; ``waveform="median"`` gives the cart's median beat."""
    if fmt not in READERS:
        raise CrtnetError(f"unknown format {fmt!r}; known: {', '.join(READERS)}", path)
    return READERS[fmt].load(path, waveform=waveform, strict_leads=strict_leads)
