import { type LocalStack, localStackUp } from '../src/dev/local-stack.js';

/**
 * The local stack a bench runs on: the benches' own ports (shifted by
 * SIEM_STREAM_BENCH_PORT_OFFSET, so a checkout's tests and benches can run side by side), progress on stderr.
 */
export function benchStackUp(home: string, offset = Number(process.env.SIEM_STREAM_BENCH_PORT_OFFSET ?? 0)): Promise<LocalStack> {
  return localStackUp({
    home,
    ports: {
      kafka: 39092 + offset,
      controller: 39093 + offset,
      registry: 38081 + offset,
      s3: 39000 + offset,
      sqs: 39324 + offset,
      cloudwatch: 39400 + offset,
    },
    emulatorPort: 38443 + offset,
    registrySecurePort: 38082 + offset,
    onProgress: (m) => process.stderr.write(`[stack] ${m}\n`),
  });
}
