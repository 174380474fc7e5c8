"""Train the enricher's Isolation Forest and export it to ONNX with its metadata.

Usage: train.py <training-features.csv> <out-dir> [--seed N]

The CSV is written by the enricher's own feature code (npm run model:train does both steps),
so the model learns from exactly the numbers the stage computes. Output, in <out-dir>:
  isolation-forest.onnx   input "features" float32 [N, F] (already scaled), outputs "label", "scores"
  isolation-forest.json   feature order, scaling, threshold, version, hashes
AnomalyScore = -scores (the negated decision function): higher is more anomalous; an event is an
anomaly when its score is above the threshold, the 99.9th percentile of the training scores.

Model input (the enricher computes it from the metadata, src/stages/enricher/anomaly-model.ts):
  z_i = (x_i - offset_i) / scale_i   with offset/scale the training 0.1st percentile and the 0.1st..99.9th span,
  then two derived columns: the largest and the sum of max(z_i - 1, 0), how far the event lies beyond
  the normal range. An Isolation Forest averages over features, so an event extreme in only one
  feature (one huge transfer) would otherwise score like normal traffic; the derived columns make
  every such event extreme in two more. Training adds 5% uniform background points over an
  extended box so the trees also cut the space beyond the training range (where the training
  data has no points, an Isolation Forest cannot separate an outlier from the most extreme normal one).
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

THRESHOLD_QUANTILE = 0.999
BACKGROUND_SHARE = 0.05
BACKGROUND_EXTENT = 3.0
DERIVED = ["excess_max", "excess_sum"]


def model_input(data, offset, scale):
    z = (data - offset) / scale
    excess = np.maximum(z - 1.0, 0.0)
    return np.hstack([z, excess.max(axis=1, keepdims=True), excess.sum(axis=1, keepdims=True)]).astype(np.float32)
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

    offset = np.percentile(data, 0.1, axis=0)
    scale = np.percentile(data, 99.9, axis=0) - offset
    scale[scale == 0] = 1.0
    # round first, so the enricher (which reads the rounded values from the metadata) computes the same input
    offset = np.round(offset, 9)
    scale = np.round(scale, 9)
    scaled = model_input(data, offset, scale)

    rng = np.random.default_rng(args.seed)
    low, high = scaled.min(axis=0), scaled.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    background = rng.uniform(low - 0.1 * span, high + BACKGROUND_EXTENT * span, size=(int(len(scaled) * BACKGROUND_SHARE), scaled.shape[1]))

    forest = IsolationForest(n_estimators=100, max_samples=256, contamination="auto", random_state=args.seed)
    forest.fit(np.vstack([scaled, background.astype(np.float32)]))
    scores = -forest.decision_function(scaled)
    threshold = float(np.quantile(scores, THRESHOLD_QUANTILE))

    model = to_onnx(
        forest,
        initial_types=[("features", skl2onnx.common.data_types.FloatTensorType([None, scaled.shape[1]]))],
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
        "scaling": {"offset": [float(v) for v in offset], "scale": [float(v) for v in scale]},
        "derived": DERIVED,
        "input": "features",
        "scoreOutput": "scores",
        "scoreSign": -1,
        "threshold": round(threshold, 9),
        "thresholdQuantile": THRESHOLD_QUANTILE,
        "trainingRows": int(data.shape[0]),
        "trainingDataSha256": training_hash,
        "modelSha256": hashlib.sha256(model_bytes).hexdigest(),
        "seed": args.seed,
        "params": {"n_estimators": 100, "max_samples": 256, "contamination": "auto", "background_share": BACKGROUND_SHARE, "background_extent": BACKGROUND_EXTENT},
        "versions": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__, "onnx": onnx.__version__, "numpy": np.__version__},
    }
    (out / "isolation-forest.json").write_text(json.dumps(metadata, indent=2) + "\n")
    print(f"{metadata['version']}: {data.shape[0]} rows, threshold {threshold:.4f} -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
