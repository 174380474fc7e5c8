import type { TestProject } from 'vitest/node';
import { type LocalStack, localStackDown, localStackUp, shiftedStackPorts } from '../src/dev/local-stack.js';

/**
 * Test ports differ from the demo's so a running demo stack and a test run do not collide;
 * SIEM_STREAM_TEST_PORT_OFFSET shifts them all, for two test runs (two checkouts) on one machine.
 */
const offset = Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0);
const layout = shiftedStackPorts(offset);
export const TEST_PORTS = {
  ...layout.ports,
  /** OAUTHBEARER at kafkaAuth + 2·(n−1), mTLS one above */
  kafkaAuth: 29104 + offset,
  oidc: 28450 + offset,
};
export const TEST_EMULATOR_PORT = layout.emulatorPort;
export const TEST_REGISTRY_SECURE_PORT = layout.registrySecurePort;
const HOME = '.stack-test';

export default async function setup(project: TestProject) {
  const started = Date.now();
  const stack = await localStackUp({
    home: HOME,
    ports: TEST_PORTS,
    emulatorPort: TEST_EMULATOR_PORT,
    registrySecurePort: TEST_REGISTRY_SECURE_PORT,
    onProgress: (m) => process.stderr.write(`[stack] ${m}\n`),
  });
  process.stderr.write(`[stack] up in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide('stack', stack);
  return async () => {
    await localStackDown({ home: HOME });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: LocalStack;
  }
}
