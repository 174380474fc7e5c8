import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { rootLogger } from '../../src/observability/logger.js';
import { loadSchema, SCHEMAS_DIR } from '../../src/schemas/catalog.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../../src/schemas/events.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { createRegistry } from '../../src/schemas/registry-client.js';
import { startParser } from '../../src/stages/parser/parser-stage.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

/** One documented sample per log type of topologies/default.yaml, plus a broken line of each. */
const SAMPLES: Record<string, string> = {
  cloudtrail:
    '{"eventTime":"2026-11-01T08:00:00Z","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","eventType":"AwsConsoleSignIn","sourceIPAddress":"2001:db8::9","userIdentity":{"type":"IAMUser","userName":"JaneDoe"},"responseElements":{"ConsoleLogin":"Success"},"eventID":"e1"}',
  vpcflow: '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  alb: 'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - -',
  guardduty:
    '{"id":"f1","type":"Recon:EC2/PortProbeUnprotectedPort","severity":5,"accountId":"1","updatedAt":"2026-11-01T09:31:00.000Z","service":{"action":{"networkConnectionAction":{"remoteIpDetails":{"ipAddressV4":"172.31.16.139"}}}}}',
  waf: '{"timestamp":1762000000000,"formatVersion":1,"webaclId":"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/1a2b","terminatingRuleId":"Default_Action","terminatingRuleType":"REGULAR","action":"BLOCK","httpRequest":{"clientIp":"52.46.82.45","country":"FR","headers":[{"name":"Host","value":"api.example.com"}],"uri":"/a","args":"","httpVersion":"HTTP/1.1","httpMethod":"GET","requestId":"r1"}}',
  s3access:
    '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT k "GET /k HTTP/1.1" 403 AccessDenied 243 - 7 - "-" "S3Console/0.4" - hostid= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - - us-east-1',
  cef: 'CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=172.31.16.139 dst=2.1.2.2 spt=1232 rt=1762000000000',
  syslog: '<34>1 2026-11-01T22:14:15.003Z mymachine.example.com su - ID47 [origin ip="192.0.2.1"] \'su root\' failed',
  fortigate: 'date=2026-11-01 time=11:37:47 srcip=172.31.16.139 dstip=23.57.57.114 dstport=443 proto=6 action="deny" tz="+0100"',
  nginx: '172.31.16.139 - - [01/Nov/2026:11:59:01 +0100] "GET /login HTTP/1.1" 401 0 "-" "curl/8.5.0"',
};

describe('parser formats against the real registry and broker', () => {
  it('the registry accepts the model as a BACKWARD-compatible successor of the committed v1 and refuses a breaking change', async () => {
    const stack = testTopology().schemaRegistry.url;
    const subject = `compat-${Date.now()}-value`;
    const call = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${stack}${path}`, {
        method,
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const v1 = readFileSync(join(SCHEMAS_DIR, 'history', 'normalized-event.v1.avsc'), 'utf8');
    expect((await call('POST', `/subjects/${subject}/versions`, { schema: v1 })).status).toBe(200);
    expect((await call('PUT', `/config/${subject}`, { compatibility: 'BACKWARD' })).status).toBe(200);
    const current = JSON.stringify(loadSchema('normalized'));
    expect((await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: current })).body.is_compatible).toBe(true);
    const broken = loadSchema('normalized');
    broken.fields.push({ name: 'Mandatory', type: 'string' });
    expect(
      (await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(broken) })).body.is_compatible,
    ).toBe(false);
    expect((await call('POST', `/subjects/${subject}/versions`, { schema: current })).status).toBe(200);
  });

  it('parser instances starting at once all register the schema of a new subject', async () => {
    const topology = testTopology();
    const registry = createRegistry(topology.schemaRegistry);
    const topic = `race-${Date.now()}.events.normalized`;
    const ids = await Promise.all(
      Array.from({ length: 4 }, () => new EventCodec<NormalizedEvent>(registry, topic, 'normalized').register()),
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('parses one sample of every format into Avro events keyed by entity; broken lines go to the DLQ', async () => {
    const topology = testTopology({ parser: { maxRecordsPerTransaction: 50 } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    for (const [logType, line] of Object.entries(SAMPLES)) {
      const headers = (n: number) => ({
        [RAW_HEADER.logType]: logType,
        [RAW_HEADER.bucket]: 'b',
        [RAW_HEADER.key]: `${logType}.log`,
        [RAW_HEADER.recordNumber]: String(n),
      });
      await producer.send({
        topic: names.raw(logType),
        messages: [
          { key: `b/${logType}.log`, value: line, headers: headers(0) },
          { key: `b/${logType}.log`, value: `${line.slice(0, 25)}\u0000\u00ff`, headers: headers(1) },
        ],
      });
    }
    await producer.disconnect();

    const codec = new EventCodec<NormalizedEvent>(createRegistry(topology.schemaRegistry), names.normalized, 'normalized');
    const loop = await startParser(topology, codec, rootLogger.child({ test: 'parser-formats' }));
    try {
      const count = Object.keys(SAMPLES).length;
      const events = await waitFor('one event per format', async () => {
        const out = await readAll(kafka, names.normalized);
        return out.length >= count ? out : undefined;
      });
      const dlq = await waitFor('one DLQ record per format', async () => {
        const out = await readAll(kafka, names.dlq('parser'));
        return out.length >= count ? out : undefined;
      });
      expect(events).toHaveLength(count);
      expect(dlq).toHaveLength(count);
      const decoded = await Promise.all(
        events.map(async (e) => ({ partition: e.partition, key: e.message.key?.toString(), event: await codec.decode(e.message.value) })),
      );
      const byType = Object.fromEntries(decoded.map((d) => [d.event.LogType, d]));
      expect(byType.cloudtrail?.event).toMatchObject({
        EventSchema: 'Authentication',
        TargetUsername: 'JaneDoe',
        SrcIpAddr: '2001:db8::9',
      });
      expect(byType.alb?.event).toMatchObject({ EventSchema: 'WebSession', HttpStatusCode: 200 });
      expect(byType.waf?.event).toMatchObject({ EventSchema: 'WebSession', DvcAction: 'Deny', SrcIpAddr: '52.46.82.45' });
      expect(byType.s3access?.event).toMatchObject({
        EventSchema: 'WebSession',
        EventResultDetails: 'AccessDenied',
        Operation: 'REST.GET.OBJECT',
      });
      expect(byType.syslog?.event.AdditionalFields['sd.origin.ip']).toBe('192.0.2.1');
      expect(byType.fortigate?.event).toMatchObject({ DvcAction: 'Deny', TimeGenerated: Date.UTC(2026, 10, 1, 10, 37, 47) });
      for (const d of decoded) expect(d.key).toBe(d.event.EntityKey);
      // the same entity from five formats meets in one partition
      const sameHost = decoded.filter((d) => d.event.EntityKey === 'SrcIpAddr:172.31.16.139');
      expect(sameHost.map((d) => d.event.LogType).sort()).toEqual(['cef', 'fortigate', 'guardduty', 'nginx', 'vpcflow']);
      expect(new Set(sameHost.map((d) => d.partition)).size).toBe(1);
      const reasons = dlq.map((r) => readHeaders(r.message.headers)['siem.dlq.error.code']);
      expect(reasons.every((c) => c === 'RECORD_UNPARSEABLE' || c === 'RECORD_INVALID')).toBe(true);
    } finally {
      await loop.stop();
    }
  });
});
