import { describe, expect, it } from 'vitest';
import type { EnrichedEvent } from '../../../src/schemas/events.js';
import type { Incident } from '../../../src/schemas/incident.js';
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

  it('formats an incident (a sink with input: incidents) the same way, its EventId in the structured data', () => {
    const incident: Incident = {
      IncidentId: 'f'.repeat(32),
      Revision: 3,
      EventId: `${'f'.repeat(32)}-3`,
      Status: 'closed',
      TimeGenerated: 1_790_000_060_000,
      EntityKey: 'SrcIpAddr:10.0.0.1',
      EventSchema: 'NetworkSession',
      LogType: 'firewall',
      TemplateId: 't',
      Template: 'deny <IP>',
      WindowStart: 1_790_000_000_000,
      WindowEnd: 1_790_000_900_000,
      FirstSeen: 1_790_000_001_000,
      LastSeen: 1_790_000_060_000,
      Count: 9,
      Reasons: ['score'],
      MaxScore: 0.3,
      TopFeatures: [],
      ExampleEventIds: ['e1'],
      ModelVersion: 'm',
    };
    const message = formatMessage(incident as unknown as EnrichedEvent, { facility: 16, hostname: 'h', appName: 'a', procId: '1' });
    expect(message).toMatch(/^<134>1 2026-09-21T\S+ h a 1 NetworkSession /);
    expect(message).toContain(`eventId="${'f'.repeat(32)}-3" schema="NetworkSession" logType="firewall"`);
    expect(JSON.parse(message.slice(message.indexOf('] ') + 2))).toEqual(incident);
  });

  it('prefixes each message with its length in bytes, not characters', () => {
    const frame = octetCountingFrame('<134>1 - - - - - - é');
    const text = frame.toString('utf8');
    const [length, ...rest] = text.split(' ');
    expect(Number(length)).toBe(Buffer.byteLength(rest.join(' '), 'utf8'));
    expect(Number(length)).toBe(21);
  });
});
