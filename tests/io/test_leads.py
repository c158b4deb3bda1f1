from __future__ import annotations

import numpy as np
import pytest

from crtnet.errors import CrtnetError
from crtnet.io import read_record
from crtnet.io.leads import STANDARD_12, normalize_lead, normalize_leads


@pytest.mark.parametrize(
    "raw, canon",
    [
        ("avr", "aVR"),
        ("AVL", "aVL"),
        ("aVF", "aVF"),
        (" v1 ", "V1"),
        ("Lead II", "II"),
        ("MLII", "MLII"),
        ("mlii", "MLII"),
        ("i", "I"),
        ("III", "III"),
        ("V6", "V6"),
    ],
)
def test_normalize(raw, canon):
    assert normalize_lead(raw) == canon


def test_unknown_and_duplicate_leads():
    with pytest.raises(CrtnetError, match="unknown lead"):
        normalize_lead("ECG7")
    assert normalize_lead("ECG7", strict=False) == "ECG7"
    with pytest.raises(CrtnetError, match="duplicate"):
        normalize_leads(["I", "i"])


def test_derived_limb_leads_match_recorded(sample_dir):
    """Einthoven/Goldberger relations hold on real PTB-XL data (to ADC rounding)."""
    full = read_record(sample_dir / "ptbxl/records500/00000/00001_hr")
    two = full.select(["I", "II", "V1"])
    derived = two.with_derived_limb_leads()
    assert derived.leads == ["I", "II", "III", "aVR", "aVL", "aVF", "V1"]
    for lead in ("III", "aVR", "aVL", "aVF"):
        np.testing.assert_allclose(derived.lead(lead), full.lead(lead), atol=0.004)
    # read_record can derive and select in one go
    rec = read_record(
        sample_dir / "ptbxl/records500/00000/00001_hr", derive_limb=True, leads=STANDARD_12
    )
    assert rec.leads == STANDARD_12


def test_select_missing_lead(sample_dir):
    rec = read_record(sample_dir / "mitdb/100")
    with pytest.raises(CrtnetError, match="lacks lead 'I'"):
        rec.select(["I"])
    filled = rec.select(["MLII", "V1"], fill_missing=True)
    assert np.isnan(filled.lead("V1")).all()
