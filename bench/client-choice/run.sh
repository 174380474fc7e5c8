#!/bin/sh
# Reproduces docs/decisions/kafka-client.md (issue 13): installs this sub-package, starts a 3-broker
# Kafka 4.4.0 stack on 39xxx (its own home, .stack-cc), then runs the API check, the throughput/CPU
# bench and the fault runs, writing results/*.json. Needs the project built (npm install && npm run build
# at the repository root) and, for the confluent client, Debian's zlib1g-dev libssl-dev libzstd-dev
# libsasl2-dev liblz4-dev (its prebuilt binary comes from github.com; without it librdkafka is built).
#   bench/client-choice/run.sh [all|install|stack|api|perf|chaos|down]
set -eu
cd "$(dirname "$0")"
VITE_NODE=../../node_modules/.bin/vite-node
step=${1:-all}
[ -f ../../dist/dev/stack/index.js ] || { echo "build the project first: (cd ../.. && npm install && npm run build)"; exit 1; }
case $step in install|all) CKJS_LINKING=dynamic npm install --no-audit --no-fund ;; esac
case $step in stack|all|api|perf|chaos) $VITE_NODE src/stack.ts up ;; esac
case $step in api|all) $VITE_NODE src/api-check.ts ;; esac
case $step in perf|all) $VITE_NODE src/perf.ts "${RECORDS:-200000}" "${ROUNDS:-3}" ;; esac
case $step in chaos|all) ./run-chaos-queue.sh ;; esac
case $step in down|all) $VITE_NODE src/stack.ts down ;; esac
