import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { loadSchema } from '../../src/schemas/catalog.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../../src/schemas/events.js';
import { createRegistry } from '../../src/schemas/registry-client.js';

const JSON_HEADERS = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

/**
 * A stage killed between registering its subject and setting the subject's compatibility leaves
 * the subject on the registry's default level; the registry client then refused every later start
 * ("Compatibility does not match the configuration (BACKWARD != NONE)"), and the parser
 * crash-looped (found by the chaos harness, docs/reliability.md).
 */
describe('a subject registered without its compatibility level', () => {
  it('is set to BACKWARD at the next start, which registers and goes on', async () => {
    const registryUrl = inject('stack').registryUrl;
    const topic = `test-${randomUUID().slice(0, 8)}.events.normalized`;
    const subject = `${topic}-value`;
    // what the killed start had done: the schema registered, no compatibility set
    const registered = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ schema: JSON.stringify(loadSchema('normalized')) }),
    });
    expect(registered.status).toBe(200);
    const { id: registeredId } = (await registered.json()) as { id: number };
    const before = (await (await fetch(`${registryUrl}/config/${subject}`)).json()) as { compatibilityLevel?: string };

    const id = await new EventCodec<NormalizedEvent>(createRegistry({ url: registryUrl }), topic, 'normalized').register();

    expect(id).toBe(registeredId);
    const after = (await (await fetch(`${registryUrl}/config/${subject}`)).json()) as { compatibilityLevel?: string };
    expect({ before: before.compatibilityLevel, after: after.compatibilityLevel }).toEqual({ before: 'NONE', after: 'BACKWARD' });
  });
});
