import { describe, expect, it } from 'vitest';
import { parserFor, RECEIVED_AT } from './parser-support.js';

// Samples follow the CEF specification, RFC 5424 / RFC 3164, FortiOS log reference and Apache's log docs.

describe('CEF', () => {
  const p = parserFor({ format: 'cef' });

  it('maps the specification example', () => {
    const e = p.event('CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232');
    expect(e).toMatchObject({
      EventSchema: 'NetworkSession',
      EventVendor: 'Security',
      EventProduct: 'threatmanager',
      EventOriginalType: '100',
      EventMessage: 'worm successfully stopped',
      EventOriginalSeverity: '10',
      EventSeverity: 'High',
      SrcIpAddr: '10.0.0.1',
      DstIpAddr: '2.1.2.2',
      SrcPortNumber: 1232,
      TimeGenerated: RECEIVED_AT,
      EntityKey: 'SrcIpAddr:10.0.0.1',
    });
    expect(e.AdditionalFields.TimeGeneratedSource).toBe('received');
  });

  it('unescapes pipes and backslashes in the header and =, \\ and newlines in values', () => {
    const e = p.event(
      'Sep 19 08:26:10 host CEF:0|Security|threat\\|manager|1.0|100|detected a \\| in message|10|src=10.0.0.1 act=blocked a \\= b \\\\ c dst=1.1.1.1 msg=Line one\\nLine two',
    );
    expect(e).toMatchObject({
      EventProduct: 'threat|manager',
      DvcAction: 'blocked a = b \\ c',
      DstIpAddr: '1.1.1.1',
      EventMessage: 'Line one\nLine two',
      DvcHostname: 'host',
    });
    expect(e.TimeGenerated).toBe(Date.UTC(2026, 8, 19, 8, 26, 10));
    expect(e.AdditionalFields.TimeGeneratedSource).toBe('syslog header');
  });

  it('reads rt in its styles and zones, labels custom strings, and keeps unknown keys', () => {
    const e = p.event(
      '<134>1 2026-11-01T10:00:00Z fw1 app - - - CEF:1|Vendor|FW|2|deny|Denied|Very-High|rt=Nov 01 2026 10:00:00.123 GMT+01:00 src=2001:db8::1 dst=2001:db8::2 proto=6 act=deny suser=alice cs1Label=Policy Name cs1=Default policy, v2 cn1Label=Hits cn1=5 deviceExternalId=abc',
    );
    expect(e).toMatchObject({
      TimeGenerated: Date.UTC(2026, 10, 1, 9, 0, 0, 123),
      EventSeverity: 'High',
      NetworkProtocol: 'TCP',
      ActorUsername: 'alice',
      SrcIpAddr: '2001:db8::1',
    });
    expect(e.AdditionalFields).toMatchObject({ 'Policy Name': 'Default policy, v2', Hits: '5', deviceExternalId: 'abc', CefVersion: '1' });
    expect(p.event('CEF:0|V|P|1|1|n|3|rt=1700000000000').TimeGenerated).toBe(1_700_000_000_000);
    const zoneless = parserFor({ format: 'cef', timezoneOffset: '-05:00' });
    expect(zoneless.event('CEF:0|V|P|1|1|n|Low|rt=Nov 01 2026 10:00:00').TimeGenerated).toBe(Date.UTC(2026, 10, 1, 15, 0, 0));
  });

  it('rejects a missing header, a short header and a bad address', () => {
    expect(p.reject('just text').message).toContain('no "CEF:" header');
    expect(p.reject('CEF:0|V|P|1|1').message).toContain('pipe-separated');
    expect(p.reject('CEF:0|V|P|1|1|n|5|src=300.1.1.1').message).toContain('src: expected an IPv4 or IPv6 address');
    expect(p.reject('CEF:x|V|P|1|1|n|5|').message).toContain('CEF version');
  });
});

describe('syslog', () => {
  const p = parserFor({ format: 'syslog' });

  it('reads the RFC 5424 examples, structured data included', () => {
    const a = p.event("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8");
    expect(a).toMatchObject({
      TimeGenerated: Date.parse('2003-10-11T22:14:15.003Z'),
      DvcHostname: 'mymachine.example.com',
      EventSubType: 'su',
      EventOriginalType: 'ID47',
      EventOriginalSeverity: 'crit',
      EventSeverity: 'High',
      EventMessage: "'su root' failed for lonvick on /dev/pts/8",
      EntityKey: 'DvcHostname:mymachine.example.com',
    });
    expect(a.AdditionalFields).toMatchObject({ Facility: 'auth', SyslogRfc: '5424' });
    const b = p.event("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
    expect(b).toMatchObject({
      TimeGenerated: Date.parse('2003-08-24T12:14:15.000Z'),
      DvcIpAddr: '192.0.2.1',
      DvcHostname: null,
      EventSeverity: 'Low',
    });
    const c = p.event(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high" note="a \\"quoted\\" \\] and \\\\"] An application event log entry...',
    );
    expect(c.AdditionalFields).toMatchObject({
      'sd.exampleSDID@32473.eventID': '1011',
      'sd.examplePriority@32473.class': 'high',
      'sd.examplePriority@32473.note': 'a "quoted" ] and \\',
    });
    expect(c.EventMessage).toBe('An application event log entry...');
    const nil = p.event('<14>1 - - - - - -');
    expect(nil.TimeGenerated).toBe(RECEIVED_AT);
    expect(nil.AdditionalFields.TimeGeneratedSource).toBe('received');
  });

  it('reads RFC 3164 with and without PRI, padded days, IP hosts and rsyslog precise timestamps', () => {
    const a = p.event("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
    expect(a).toMatchObject({ TimeGenerated: Date.UTC(2026, 9, 11, 22, 14, 15), EventSubType: 'su', DvcHostname: 'mymachine' });
    const b = p.event('Nov  2 23:59:58 web-1 sshd[1234]: Failed password for invalid user admin from 203.0.113.9 port 52415 ssh2');
    expect(b).toMatchObject({ TimeGenerated: Date.UTC(2026, 10, 2, 23, 59, 58), EventSubType: 'sshd', EventSeverity: null });
    expect(b.AdditionalFields).toMatchObject({ ProcessId: '1234', SyslogRfc: '3164' });
    const c = p.event('2026-11-01T10:00:00.123456+02:00 10.0.0.99 kernel: eth0 link up');
    expect(c).toMatchObject({ TimeGenerated: Date.UTC(2026, 10, 1, 8, 0, 0, 123), DvcIpAddr: '10.0.0.99' });
    // no year in RFC 3164: a December line received in January belongs to the previous year
    expect(p.event('Dec 31 23:59:59 h a: x').TimeGenerated).toBe(Date.UTC(2025, 11, 31, 23, 59, 59));
    const cet = parserFor({ format: 'syslog', timezoneOffset: '+01:00' });
    expect(cet.event('<13>Nov 20 10:00:00 h app: m').TimeGenerated).toBe(Date.UTC(2026, 10, 20, 9, 0, 0));
  });

  it('keeps non-UTF-8 bytes as Latin-1 and says so', () => {
    const e = p.event(Buffer.concat([Buffer.from('<13>Nov 20 10:00:00 h app: caf'), Buffer.from([0xe9, 0xff])]));
    expect(e.EventMessage).toBe('café\u00ff');
    expect(e.AdditionalFields.SourceEncoding).toBe('latin1');
  });

  it('rejects lines that are neither RFC', () => {
    expect(p.reject('hello world').code).toBe('RECORD_UNPARSEABLE');
    expect(p.reject('<13>Foo 20 10:00:00 h app: m').code).toBe('RECORD_INVALID');
    expect(p.reject(' \r\n').message).toContain('empty record');
    expect(p.reject('').message).toContain('record has no value');
  });
});

describe('key=value firewall logs', () => {
  const p = parserFor({ format: 'kv', vendor: 'Fortinet', product: 'FortiGate' });
  const forti =
    'date=2019-05-10 time=11:37:47 logid="0000000013" type="traffic" subtype="forward" level="notice" vd="vdom1" eventtime=1557513467369913239 srcip=10.1.100.11 srcport=58012 srcintf="port12" dstip=23.57.57.114 dstport=443 dstintf="port11" sessionid=1234 proto=6 action="close" policyid=1 service="HTTPS" dstcountry="United States" duration=2 sentbyte=3652 rcvdbyte=124029 sentpkt=58 rcvdpkt=105 devname="FGT-1" devid="FG100E4Q17000000" tz="-0700"';

  it('maps a FortiGate traffic log, quoted values and its tz', () => {
    const e = p.event(forti);
    expect(e).toMatchObject({
      EventSchema: 'NetworkSession',
      TimeGenerated: Date.UTC(2019, 4, 10, 18, 37, 47),
      SrcIpAddr: '10.1.100.11',
      DstIpAddr: '23.57.57.114',
      DstPortNumber: 443,
      NetworkProtocol: 'TCP',
      DvcAction: 'Allow',
      EventResult: 'Success',
      SrcBytes: 3652,
      DstBytes: 124029,
      NetworkRuleName: '1',
      DvcHostname: 'FGT-1',
      EventProduct: 'FortiGate',
    });
    expect(e.AdditionalFields).toMatchObject({ dstcountry: 'United States', service: 'HTTPS', rcvdpkt: '105' });
  });

  it('reads a syslog PRI glued to the first key, escaped quotes, IPv6 and epoch-ns time', () => {
    const e = p.event(
      '<189>logid="1" eventtime=1557513467369913239 srcip=2001:db8::1 dstip=2001:db8::2 action=deny msg="user \\"bob\\" said=hi"',
    );
    expect(e).toMatchObject({
      TimeGenerated: Date.UTC(2019, 4, 10, 18, 37, 47, 369),
      DvcAction: 'Deny',
      EventResult: 'Failure',
      SrcIpAddr: '2001:db8::1',
      EventMessage: 'user "bob" said=hi',
    });
  });

  it('validates addresses and the action enum, with configurable words and keys', () => {
    expect(p.reject(forti.replace('srcip=10.1.100.11', 'srcip=10.1.100.311')).message).toContain('srcip: expected an IPv4 or IPv6 address');
    expect(p.reject(forti.replace('action="close"', 'action="maybe"')).message).toContain('action: expected one of');
    expect(p.reject('no pairs here').message).toContain('no key=value pairs');
    expect(p.reject('srcip=10.0.0.1 action=allow').message).toContain('date+time: expected a timestamp');
    const custom = parserFor({
      format: 'kv',
      fieldMap: { SrcIpAddr: 'src', DvcAction: 'act' },
      timeKeys: ['ts'],
      actions: { PERMITTED: 'Allow' },
    });
    expect(custom.event('ts=2026-11-01T10:00:00+01:00 src=10.0.0.9 act=permitted')).toMatchObject({
      DvcAction: 'Allow',
      SrcIpAddr: '10.0.0.9',
      TimeGenerated: Date.UTC(2026, 10, 1, 9),
    });
  });
});

describe('Apache / Nginx access logs', () => {
  const p = parserFor({ format: 'access-log' });

  it('maps the Combined and Common Log Format examples', () => {
    const e = p.event(
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
    );
    expect(e).toMatchObject({
      EventSchema: 'WebSession',
      TimeGenerated: Date.UTC(2000, 9, 10, 20, 55, 36),
      SrcIpAddr: '127.0.0.1',
      ActorUsername: 'frank',
      HttpRequestMethod: 'GET',
      Url: '/apache_pb.gif',
      HttpStatusCode: 200,
      DstBytes: 2326,
      HttpUserAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
      EventProduct: 'Apache HTTP Server',
      EntityKey: 'SrcIpAddr:127.0.0.1',
    });
    expect(e.AdditionalFields).toMatchObject({ Referer: 'http://www.example.com/start.html', HttpVersion: 'HTTP/1.0' });
    expect(p.event('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 304 -')).toMatchObject({
      DstBytes: null,
      HttpUserAgent: null,
      ActorUsername: null,
    });
  });

  it('reads Nginx lines with IPv6, extra fields, junk request lines, escaped quotes and host names', () => {
    const n = parserFor({ format: 'access-log', server: 'nginx' });
    const e = n.event('2001:db8::5 - - [23/Nov/2026:11:59:01 +0100] "POST /api/login?next=%2F,x HTTP/2.0" 401 0 "-" "curl/8.5.0" 0.004');
    expect(e).toMatchObject({
      SrcIpAddr: '2001:db8::5',
      EventResult: 'Failure',
      HttpStatusCode: 401,
      EventProduct: 'Nginx',
      TimeGenerated: Date.UTC(2026, 10, 23, 10, 59, 1),
    });
    expect(e.AdditionalFields.extra_1).toBe('0.004');
    const junk = n.event('203.0.113.50 - - [23/Nov/2026:11:59:02 +0000] "\\x16\\x03\\x01\\x02\\x00\\x01" 400 157 "-" "-"');
    expect(junk).toMatchObject({ HttpRequestMethod: null, Url: null, HttpStatusCode: 400 });
    expect(p.event('10.0.0.1 - - [23/Nov/2026:11:59:03 +0000] "GET / HTTP/1.1" 200 5 "-" "Mozilla \\"quoted\\" agent"').HttpUserAgent).toBe(
      'Mozilla "quoted" agent',
    );
    expect(p.event('crawler.example.net - - [23/Nov/2026:11:59:03 +0000] "GET / HTTP/1.1" 200 5').SrcHostname).toBe('crawler.example.net');
  });

  it('rejects short lines, bad statuses and bad dates', () => {
    expect(p.reject('127.0.0.1 - -').message).toContain('at least 7 fields');
    expect(p.reject('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" abc 1').message).toContain('status');
    expect(p.reject('127.0.0.1 - - [32/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1').message).toContain('time: expected a timestamp');
  });
});

describe('partitioning key', () => {
  it('follows parser.entityKeys per schema and a log type override', () => {
    const p = parserFor({ format: 'vpcflow' }, { entityKeys: { NetworkSession: ['DstIpAddr'] } });
    expect(p.event('2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1418530010 1418530070 ACCEPT OK').EntityKey).toBe('DstIpAddr:10.0.0.2');
    const q = parserFor({ format: 'cloudtrail', entityKey: ['SrcIpAddr'] });
    expect(
      q.event('{"eventTime":"2026-11-01T00:00:00Z","eventName":"GetObject","sourceIPAddress":"192.0.2.9","userIdentity":{"userName":"a"}}')
        .EntityKey,
    ).toBe('SrcIpAddr:192.0.2.9');
  });
});
