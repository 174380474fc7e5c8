import type { TestProject } from 'vitest/node';
import { type LocalStack, localStackDown, localStackUp } from '../src/dev/local-stack.js';

/** Test ports differ from the demo's so a running demo stack and a test run do not collide. */
export const TEST_PORTS = { kafka: 29092, controller: 29093, registry: 28081, s3: 29000, sqs: 29324 };
export const TEST_EMULATOR_PORT = 28443;
const HOME = '.stack-test';

export default async function setup(project: TestProject) {
  const started = Date.now();
  const stack = await localStackUp({
    home: HOME,
    ports: TEST_PORTS,
    emulatorPort: TEST_EMULATOR_PORT,
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
