/** One object an S3 event notification announces. */
export interface NotifiedObject {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
  eventTime?: string;
}

export type Notification =
  | { kind: 'objects'; objects: NotifiedObject[]; ignored: number }
  | { kind: 'test-event' }
  | { kind: 'unparseable'; reason: string };

interface S3EventRecord {
  eventName?: string;
  eventTime?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; eTag?: string; size?: number } };
}

/**
 * Reads an SQS message body as S3 sent it, directly or wrapped in an SNS envelope
 * (`{"Type":"Notification","Message":"<json>"}`). `s3:ObjectCreated:*` records become objects
 * (keys are URL-encoded in events, "+" for a space); other event records are ignored; the
 * `s3:TestEvent` sent when a notification is configured is recognised.
 */
export function parseNotification(body: string | undefined): Notification {
  let doc: unknown;
  try {
    doc = JSON.parse(body ?? '');
    const envelope = doc as { Type?: string; Message?: unknown };
    if (envelope.Type === 'Notification' && typeof envelope.Message === 'string') doc = JSON.parse(envelope.Message);
  } catch (error) {
    return { kind: 'unparseable', reason: `not JSON: ${(error as Error).message}` };
  }
  const event = doc as { Event?: string; Records?: unknown };
  if (event?.Event === 's3:TestEvent') return { kind: 'test-event' };
  if (!Array.isArray(event?.Records)) return { kind: 'unparseable', reason: 'no Records array and not an s3:TestEvent' };
  const objects: NotifiedObject[] = [];
  let ignored = 0;
  for (const record of event.Records as S3EventRecord[]) {
    const bucket = record.s3?.bucket?.name;
    const key = record.s3?.object?.key;
    if (!record.eventName?.startsWith('ObjectCreated:') || !bucket || key === undefined) {
      ignored++;
      continue;
    }
    objects.push({
      bucket,
      key: decodeURIComponent(key.replaceAll('+', ' ')),
      ...(record.s3?.object?.eTag ? { etag: record.s3.object.eTag.replaceAll('"', '') } : {}),
      ...(record.s3?.object?.size !== undefined ? { size: record.s3.object.size } : {}),
      ...(record.eventTime ? { eventTime: record.eventTime } : {}),
    });
  }
  return { kind: 'objects', objects, ignored };
}
