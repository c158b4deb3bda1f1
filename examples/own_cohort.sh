#!/usr/bin/env bash
# Own-cohort workflow (the paper's CKD/T2DM scenario) on a tiny cohort built from the
# 16 PTB-XL records bundled with crtnet: printouts + a CSV manifest → digitized (cached)
# → train → evaluate → predict. Real cohorts only swap the images and the manifest.
#
#   bash examples/own_cohort.sh [WORK_DIR]
set -euo pipefail
work=${1:-cohort-example}
crt=${CRTNET:-crtnet}
samples=$(python -c "import crtnet.samples as s; print(s.PTBXL)")
mkdir -p "$work/images"

# 1. Printouts: each bundled 500 Hz record rendered as a 3x4+II page (a stand-in for scans).
"$crt" render "$samples"/records500/00000/*_hr.hea --out "$work/images" --layout 3x4+II \
    --format png --augment mild --seed 1 >/dev/null

# 2. Manifest: one row per image, patient id, and a label (normal vs abnormal ECG, from
#    PTB-XL's cardiologist statements; a hospital would put e.g. CKD / control here).
python - "$samples" "$work" <<'PY'
import ast, csv, sys
from pathlib import Path
import pandas as pd
samples, work = Path(sys.argv[1]), Path(sys.argv[2])
db = pd.read_csv(samples / "ptbxl_database.csv", index_col="ecg_id")
with open(work / "manifest.csv", "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["path", "patient_id", "diagnosis"])
    for eid, row in db.iterrows():
        codes = ast.literal_eval(row["scp_codes"])
        label = "normal" if codes.get("NORM", 0) >= 50 else "abnormal"
        w.writerow([f"images/{eid:05d}_hr.png", int(row["patient_id"]), label])
PY

# 3. What crtnet sees in the cohort (images are digitized once and cached).
"$crt" data summary "folder:$work/manifest.csv" --label-column diagnosis

# 4. Train CRT-Net on the digitized signals (patient-wise CV fold 0 of 3), then evaluate.
"$crt" train -d "folder:$work/manifest.csv" -m crtnet --out "$work/run" --set n_folds=3 \
    --epochs 5 --set data_options.label_column=diagnosis --set data_options.length_s=10 \
    --set fs=100 --set batch_size=8 --no-progress
"$crt" evaluate "$work/run" --split test

# 5. Predict new printouts with the cohort's model.
"$crt" predict "$work/images/00001_hr.png" --model "$work/run"
