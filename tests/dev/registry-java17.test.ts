import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, describe, expect, it } from 'vitest';
import { stackDown, stackStatus, stackUp } from '../../src/dev/stack/index.js';
import { apicurioRelease } from '../../src/dev/stack/registry.js';
import { createRegistry } from '../../src/schemas/registry-client.js';

// A machine with only Java 17 gets the Apicurio 2.6 line; this proves that line serves what the
// pipeline uses of the Confluent API. The main test stack runs Apicurio 3 where Java 21+ exists.
const PORT = 28090 + Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0);
const home = mkdtempSync(join(tmpdir(), 'siem-registry-2-'));

describe('schema registry on Java 17 (Apicurio 2.6)', () => {
  afterAll(async () => {
    await stackDown({ home });
    delete process.env.SIEM_STREAM_APICURIO;
  });

  it('registers, encodes and decodes Avro through the ccompat v7 API', async () => {
    process.env.SIEM_STREAM_APICURIO = '2';
    expect(apicurioRelease().version).toMatch(/^2\.6\./);
    const endpoints = await stackUp({ home, services: ['registry'], ports: { registry: PORT }, onProgress: () => {} });
    const status = await stackStatus({ home });
    expect(status.find((s) => s.service === 'registry')?.healthy).toBe(true);

    const registry = createRegistry({ url: endpoints.registryUrl });
    const v1 = { type: 'record', name: 'Probe', namespace: 'io.siemstream.test', fields: [{ name: 'a', type: 'string' }] };
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject: 'probe-value' });
    const bytes = await registry.encode(id, { a: 'hello' });
    expect(bytes[0]).toBe(0); // Confluent wire format: magic byte, then the schema id
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(await registry.decode(bytes)).toEqual({ a: 'hello' });

    const v2 = { ...v1, fields: [...v1.fields, { name: 'b', type: ['null', 'string'], default: null }] };
    const second = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject: 'probe-value' });
    expect(second.id).not.toBe(id);
    expect(await registry.getLatestSchemaId('probe-value')).toBe(second.id);
  }, 300_000);
});
