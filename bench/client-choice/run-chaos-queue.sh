#!/bin/sh
# every fault kind for every client, one after another (each run ~2 min)
cd "$(dirname "$0")"
for fault in ${FAULTS:-kill zombie commit-timeout broker}; do
  for client in ${CLIENTS:-confluent platformatic}; do
    timeout 600 ../../node_modules/.bin/vite-node src/chaos.ts "$client" "$fault" "${RECORDS:-200000}" 3 > "results/logs/run-$client${CC_TXN_ID_PER_LIFE:+-perlife}${CC_WATCHDOG_MS:+-watchdog}-$fault.out" 2>&1
    tail -1 "results/logs/run-$client${CC_TXN_ID_PER_LIFE:+-perlife}${CC_WATCHDOG_MS:+-watchdog}-$fault.out" | cut -c1-400
  done
done
