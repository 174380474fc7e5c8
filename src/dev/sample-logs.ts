import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mulberry32 } from '../util/seeded-random.js';

export interface SampleObject {
  key: string;
  body: Buffer;
  /** lines that parse into events */
  valid: number;
  /** lines the parser must send to its DLQ */
  malformed: number;
  logType: 'firewall' | 'auth';
}

export interface SampleOptions {
  objects: number;
  recordsPerObject: number;
  /** every n-th record is malformed (0 = none) */
  malformedEvery: number;
  seed?: number;
  startTime?: number;
  /** a folder level in every key, so repeated runs against one bucket write new objects */
  runId?: string;
}

/**
 * Deterministic sample logs matching topologies/default.yaml: firewall and auth JSON lines,
 * alternately plain and gzip, with malformed records (broken JSON, bad IPs, bad ports) mixed in.
 */
export function generateSampleObjects(options: SampleOptions): SampleObject[] {
  const random = mulberry32(options.seed ?? 42);
  const start = options.startTime ?? Date.UTC(2026, 10, 1);
  const out: SampleObject[] = [];
  for (let o = 0; o < options.objects; o++) {
    const logType = o % 2 === 0 ? 'firewall' : 'auth';
    const gzip = o % 3 !== 0;
    const lines: string[] = [];
    let malformed = 0;
    for (let r = 0; r < options.recordsPerObject; r++) {
      const time = start + (o * options.recordsPerObject + r) * 250;
      const bad = options.malformedEvery > 0 && (r + 1) % options.malformedEvery === 0;
      if (bad) malformed++;
      lines.push(
        bad ? malformedLine(logType, r, time) : logType === 'firewall' ? firewallLine(random, o, r, time) : authLine(random, o, r, time),
      );
    }
    const text = `${lines.join(o % 4 === 1 ? '\r\n' : '\n')}\n`;
    const day = new Date(start).toISOString().slice(0, 10).replaceAll('-', '/');
    const folder = options.runId ? `${logType}/${day}/run-${options.runId}` : `${logType}/${day}`;
    out.push({
      key: `${folder}/part-${String(o).padStart(5, '0')}.${logType === 'firewall' ? 'log' : 'json'}${gzip ? '.gz' : ''}`,
      body: gzip ? gzipSync(text) : Buffer.from(text),
      valid: options.recordsPerObject - malformed,
      malformed,
      logType,
    });
  }
  return out;
}

export async function uploadSampleObjects(s3: S3Client, bucket: string, objects: SampleObject[]): Promise<void> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const object of objects) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: object.body }));
}

function firewallLine(random: () => number, o: number, r: number, time: number): string {
  const host = 1 + Math.floor(random() * 40);
  return JSON.stringify({
    id: `fw-${o}-${r}`,
    ts: new Date(time).toISOString(),
    src: { ip: `10.0.${host % 4}.${host}`, port: 1024 + Math.floor(random() * 60_000) },
    dst: { ip: `192.0.2.${1 + Math.floor(random() * 20)}`, port: [22, 53, 80, 443, 3389][Math.floor(random() * 5)] },
    proto: random() < 0.8 ? 'tcp' : 'udp',
    action: random() < 0.9 ? 'allow' : 'deny',
    bytes: Math.floor(random() * 100_000),
    rule: `r-${Math.floor(random() * 10)}`,
  });
}

function authLine(random: () => number, o: number, r: number, time: number): string {
  const user = `user${Math.floor(random() * 25)}`;
  return JSON.stringify({
    id: `auth-${o}-${r}`,
    time: Math.floor(time / 1000),
    event: random() < 0.7 ? 'Logon' : 'Logoff',
    outcome: random() < 0.85 ? 'success' : 'failure',
    user,
    client_ip: `198.51.100.${Math.floor(random() * 250)}`,
    mfa: random() < 0.5,
  });
}

function malformedLine(logType: string, r: number, time: number): string {
  switch (r % 3) {
    case 0:
      return `{"id": "broken-${r}", "ts": "${new Date(time).toISOString()}", "src": {`;
    case 1:
      return logType === 'firewall'
        ? JSON.stringify({ id: `bad-ip-${r}`, ts: new Date(time).toISOString(), src: { ip: '10.0.0.999' }, action: 'allow' })
        : JSON.stringify({ id: `bad-outcome-${r}`, time: time / 1000, user: 'x', outcome: 'maybe' });
    default:
      return logType === 'firewall'
        ? JSON.stringify({ id: `bad-port-${r}`, ts: new Date(time).toISOString(), src: { ip: '10.0.0.1' }, dst: { port: 70000 } })
        : JSON.stringify({ id: `no-time-${r}`, user: 'y' });
  }
}
