import { describe, expect, it } from 'vitest';
import { formatMessage, octetCountingFrame, SD_ID } from '../../../src/sinks/syslog/rfc5424.js';
import { enrichedEventFixture } from './sink-fixtures.js';

describe('syslog RFC 5424 with octet counting', () => {
  it('formats PRI, version, timestamp, header fields, structured data with the EventId, and the event as MSG', () => {
    const event = enrichedEventFixture({ EventId: 'id-"1"]', EventSeverity: 'High' });
    const message = formatMessage(event, { facility: 16, hostname: 'host one', appName: 'siem-stream', procId: '42' });
    const match = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) (.*)$/.exec(message);
    expect(match).not.toBeNull();
    const [, pri, timestamp, host, app, procId, msgId, sd, msg] = match as RegExpExecArray;
    expect(Number(pri)).toBe(16 * 8 + 3);
    expect(timestamp).toBe(new Date(event.TimeGenerated).toISOString());
    expect([host, app, procId, msgId]).toEqual(['host_one', 'siem-stream', '42', 'NetworkSession']);
    expect(sd).toBe(`[${SD_ID} eventId="id-\\"1\\"\\]" schema="NetworkSession" logType="firewall"]`);
    expect(JSON.parse(msg as string)).toEqual(event);
  });

  it('prefixes each message with its length in bytes, not characters', () => {
    const frame = octetCountingFrame('<134>1 - - - - - - é');
    const text = frame.toString('utf8');
    const [length, ...rest] = text.split(' ');
    expect(Number(length)).toBe(Buffer.byteLength(rest.join(' '), 'utf8'));
    expect(Number(length)).toBe(21);
  });
});
