/**
 * The bench's own 3-broker stack (Kafka only) with a PROXIED listener, on ports in 39xxx, so the
 * fault proxies of the chaos harness can sit between the clients and the brokers.
 *   vite-node src/stack.ts up|down
 */
import { resolve } from 'node:path';
import { stackDown, stackUp } from '../../../src/dev/stack/index.js';
import { HOME, PORTS } from './settings.js';

const command = process.argv[2];
if (command === 'up') {
  const endpoints = await stackUp({ home: HOME, brokers: 3, ports: PORTS, services: ['kafka'] });
  console.log(JSON.stringify({ brokers: endpoints.kafkaBrokers, proxied: endpoints.kafkaProxied }, null, 2));
} else if (command === 'down') {
  await stackDown({ home: HOME });
} else {
  console.error(`usage: stack.ts up|down (home ${resolve(HOME)})`);
  process.exit(2);
}
