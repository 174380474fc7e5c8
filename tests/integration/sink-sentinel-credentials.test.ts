import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureIdentityTestbed, type CredentialPath, startAzureIdentityTestbed } from '../support/azure-identity.js';
import { loggedPort } from '../support/ops-cli.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { enrichedEvent, produceEvents, sentinelConfig, sinkTestbed } from './sink-harness.js';

let azure: AzureIdentityTestbed;
beforeAll(async () => {
  azure = await startAzureIdentityTestbed();
});
afterAll(async () => {
  await azure?.stop();
});

const EVENTS = 40;

/** A topology whose only sink is Sentinel with one credential path, `EVENTS` events waiting on its enriched topic. */
async function sentinelWith(path: CredentialPath, credentialOverride: Record<string, unknown> = {}) {
  const { credential, env, clientId } = azure.credential(path);
  const bed = await sinkTestbed((id) => [
    sentinelConfig(azure.emulator, id, {
      credential: { ...credential, ...credentialOverride },
      retry: { attempts: 5, baseMs: 100, capMs: 1_000 },
    }),
  ]);
  const ids = await produceEvents(
    bed.rd,
    bed.codec,
    Array.from({ length: EVENTS }, (_, i) => enrichedEvent(i, { EventSchema: 'Other', EventOriginalUid: `${path}-${bed.id}-${i}` })),
  );
  return { bed, ids, env, clientId };
}

/**
 * Runs the sink stage as its own process at debug level, with the Azure SDK's own logging on too,
 * until every event is at the emulator; then no credential and no issued token may be in its output
 * or in its /metrics.
 */
async function deliversWithoutLeaks(path: CredentialPath): Promise<void> {
  const { bed, ids, env, clientId } = await sentinelWith(path);
  const callsBefore = azure.emulator.store.stats().requests.byCaller[clientId] ?? 0;
  const stage = spawnStage(bed.topology, 'sentinel', { ...env, SIEM_STREAM_LOG_LEVEL: 'debug', AZURE_LOG_LEVEL: 'verbose' });
  try {
    const wanted = new Set(ids);
    await waitFor(
      `every event at the emulator (log: ${stage.logFile})`,
      async () => {
        if (stage.exitCode !== null) throw new Error(`the sink exited with ${stage.exitCode}; log: ${stage.logFile}`);
        const mine = azure.emulator.store.records().filter((r) => wanted.has(r.record.EventId as string));
        return new Set(mine.map((r) => r.record.EventId)).size === wanted.size ? mine : undefined;
      },
      120_000,
      500,
    );
    // every upload carried a token the emulator verified as this app's
    expect((azure.emulator.store.stats().requests.byCaller[clientId] ?? 0) - callsBefore).toBeGreaterThan(0);
    const grant = {
      'client-secret': 'client_secret',
      'client-secret-file': 'client_secret',
      'workload-identity': 'client_assertion',
      'managed-identity': 'managed_identity',
    }[path];
    expect(azure.endpoint.issued.some((t) => t.clientId === clientId && t.grant === grant)).toBe(true);

    const port = loggedPort(stage.logFile);
    expect(port).toBeGreaterThan(0);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('siem_sink_');
    const log = readFileSync(stage.logFile, 'utf8');
    expect(log).toContain('"msg":"credential ok"');
    expect(log.split('\n').length).toBeGreaterThan(20); // debug and SDK logging were on: there was plenty to leak into
    for (const secret of azure.secrets()) {
      expect(log.includes(secret), `a secret appears in the stage log ${stage.logFile}`).toBe(false);
      expect(metrics.includes(secret), 'a secret appears in /metrics').toBe(false);
    }
  } finally {
    stage.kill('SIGTERM');
    expect((await exited(stage)).code).toBe(0);
  }
}

/** A stage whose credential is refused stops at start: /readyz never ready, a clear error, exit 1, nothing sent. */
async function refusedAtStart(
  path: CredentialPath,
  credentialOverride: Record<string, unknown>,
  env: Record<string, string>,
  reason: RegExp,
) {
  const { bed, ids, env: pathEnv } = await sentinelWith(path, credentialOverride);
  const stage = spawnStage(bed.topology, 'sentinel', { ...pathEnv, ...env, SIEM_STREAM_LOG_LEVEL: 'debug' });
  const readyAnswers: number[] = [];
  const polling = (async () => {
    while (stage.exitCode === null) {
      const port = loggedPort(stage.logFile);
      const answer = port ? await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined) : undefined;
      if (answer) readyAnswers.push(answer.status);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const exit = await Promise.race([
    exited(stage),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the stage did not exit; log: ${stage.logFile}`)), 90_000)),
  ]);
  await polling;
  expect(exit.code, `log: ${stage.logFile}`).toBe(1);
  expect(readyAnswers.every((s) => s !== 200)).toBe(true);
  const log = readFileSync(stage.logFile, 'utf8');
  const fatal = log.split('\n').find((l) => l.includes('DESTINATION_MISCONFIGURED'));
  expect(fatal, `log: ${stage.logFile}`).toBeDefined();
  expect(fatal).toMatch(reason);
  for (const secret of [...azure.secrets(), ...Object.values(credentialOverride).map(String), ...Object.values(env)])
    expect(log.includes(secret), `a secret appears in the stage log ${stage.logFile}`).toBe(false);
  const accepted = azure.emulator.store.records().filter((r) => ids.includes(r.record.EventId as string));
  expect(accepted).toHaveLength(0);
}

describe('Sentinel sink credentials against a local Entra ID, tokens verified by the Logs Ingestion emulator', () => {
  it('client secret from a file: every event accepted with a token of that app; no secret or token in the log or /metrics', async () => {
    await deliversWithoutLeaks('client-secret-file');
  });

  it('workload identity (federated token file): every event accepted; nothing leaks', async () => {
    await deliversWithoutLeaks('workload-identity');
  });

  it('managed identity (IDENTITY_ENDPOINT + IDENTITY_HEADER): every event accepted; nothing leaks', async () => {
    await deliversWithoutLeaks('managed-identity');
  });

  it('a wrong client secret stops the stage at start with the identity provider reason, not a hang', async () => {
    const wrongSecret = `wrong~${Date.now().toString(36)}-secret`;
    await refusedAtStart(
      'client-secret',
      { clientSecret: wrongSecret },
      {},
      /credential client-secret for client [\w-]+: no token \(HTTP 401 invalid_client from https:\/\/127\.0\.0\.1:\d+\/[\w-]+\/oauth2\/v2\.0\/token\).*AADSTS7000215/,
    );
  });

  it('a wrong managed identity header stops the stage at start the same way', async () => {
    await refusedAtStart(
      'managed-identity',
      {},
      { IDENTITY_HEADER: 'not-the-identity-header' },
      /credential managed-identity: no token \(HTTP 401 Unauthorized\)/,
    );
  });
});
