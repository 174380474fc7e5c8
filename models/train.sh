#!/usr/bin/env bash
# Regenerates the enricher's model: training features from the enricher's own code (dist/),
# then models/train.py in the pinned venv. Usage: models/train.sh [out-dir]  (default: models/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/models}"
python="$("$root/models/setup-venv.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node "$root/dist/stages/enricher/training/write-training-set.js" "$work/training-features.csv"
"$python" "$root/models/train.py" "$work/training-features.csv" "$out"
