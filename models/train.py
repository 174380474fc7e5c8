"""Train the enricher's Isolation Forest and export it to ONNX with its metadata.

Usage: train.py <training-features.csv> <out-dir> [--seed N]

The CSV is written by the enricher's own feature code (npm run model:train does both steps),
so the model learns from exactly the numbers the stage computes. Output, in <out-dir>:
  isolation-forest.onnx   input "features" float32 [N, F] (already scaled), outputs "label", "scores"
  isolation-forest.json   feature order, scaling, threshold, version, hashes
AnomalyScore = -scores (the negated decision function): higher is more anomalous; an event is an
anomaly when its score is above the threshold, the 99.5th percentile of the training scores.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import sklearn
import skl2onnx
from skl2onnx import to_onnx
from sklearn.ensemble import IsolationForest

THRESHOLD_QUANTILE = 0.995
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("features")
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=20261101)
    args = parser.parse_args()

    raw = Path(args.features).read_bytes()
    header = raw.split(b"\n", 1)[0].decode().split(",")
    data = np.loadtxt(args.features, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    if data.shape[1] != len(header):
        print(f"{args.features}: {data.shape[1]} columns but {len(header)} names", file=sys.stderr)
        return 1

    mean = data.mean(axis=0)
    scale = data.std(axis=0)
    scale[scale == 0] = 1.0
    scaled = ((data - mean) / scale).astype(np.float32)

    forest = IsolationForest(n_estimators=200, max_samples=256, contamination="auto", random_state=args.seed)
    forest.fit(scaled)
    scores = -forest.decision_function(scaled)
    threshold = float(np.quantile(scores, THRESHOLD_QUANTILE))

    model = to_onnx(
        forest,
        initial_types=[("features", skl2onnx.common.data_types.FloatTensorType([None, len(header)]))],
        target_opset=TARGET_OPSET,
    )
    model.doc_string = "siem-stream enricher Isolation Forest"
    onnx.checker.check_model(model)
    model_bytes = model.SerializeToString()

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    training_hash = hashlib.sha256(raw).hexdigest()
    (out / "isolation-forest.onnx").write_bytes(model_bytes)
    metadata = {
        "version": f"iforest-{training_hash[:12]}",
        "algorithm": "IsolationForest",
        "features": header,
        "scaling": {"mean": [round(float(v), 9) for v in mean], "scale": [round(float(v), 9) for v in scale]},
        "input": "features",
        "scoreOutput": "scores",
        "scoreSign": -1,
        "threshold": round(threshold, 9),
        "thresholdQuantile": THRESHOLD_QUANTILE,
        "trainingRows": int(data.shape[0]),
        "trainingDataSha256": training_hash,
        "modelSha256": hashlib.sha256(model_bytes).hexdigest(),
        "seed": args.seed,
        "params": {"n_estimators": 200, "max_samples": 256, "contamination": "auto"},
        "versions": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__, "onnx": onnx.__version__, "numpy": np.__version__},
    }
    (out / "isolation-forest.json").write_text(json.dumps(metadata, indent=2) + "\n")
    print(f"{metadata['version']}: {data.shape[0]} rows, threshold {threshold:.4f} -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
