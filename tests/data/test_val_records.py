from __future__ import annotations

import numpy as np

from crtnet.data.mitdb import pick_val_records


def test_val_records_keep_minority_classes_in_training():
    # 10 records; "r0" holds 90 % of the F beats (as 208 does in DS1)
    recs, ys = [], []
    for i in range(10):
        name = f"r{i}"
        counts = {"N": 100, "S": 10, "V": 10, "F": 90 if i == 0 else 1}
        for c, n in counts.items():
            recs += [name] * n
            ys += [c] * n
    rec, y = np.array(recs), np.array(ys)
    ds1 = [f"r{i}" for i in range(10)]
    for seed in range(5):
        val = pick_val_records(ds1, rec, y, 3, seed)
        assert len(val) == 3 and "r0" not in val
        assert val == pick_val_records(ds1, rec, y, 3, seed)  # deterministic
