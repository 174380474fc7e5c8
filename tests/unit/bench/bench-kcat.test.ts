import { describe, expect, it } from 'vitest';
import { chainTopicNames } from '../../../bench/e2e-chain.js';
import {
  KCAT_KEY_DELIMITER,
  KCAT_RECORD_DELIMITER,
  kcatConsumerArgs,
  kcatHeaderArgs,
  kcatHopCommand,
  kcatInput,
  kcatProducerArgs,
  kcatVersions,
  parentPid,
  shellQuote,
} from '../../../bench/e2e-kcat.js';

const endpoints = { brokers: '127.0.0.1:33092', headerArgs: ['-H', 'siem.log.type=firewall'] };
const hop = { from: 'p.0', to: 'p.1', groupId: 'p.hop-0', records: 50_000 };

describe('kcat input', () => {
  it('is each record as key, 0x1F, value, 0x1E, keeping tabs, newlines and quotes', () => {
    const input = kcatInput([
      { key: 'bucket/a.log', value: '{"msg":"a\\tb"}' },
      { key: 'bucket/b.log', value: "x\ty\nz 'q'" },
    ]);
    expect(input).toBe('bucket/a.log\x1f{"msg":"a\\tb"}\x1ebucket/b.log\x1fx\ty\nz \'q\'\x1e');
    expect(
      input
        .split(KCAT_RECORD_DELIMITER)
        .filter(Boolean)
        .map((r) => r.split(KCAT_KEY_DELIMITER)),
    ).toEqual([
      ['bucket/a.log', '{"msg":"a\\tb"}'],
      ['bucket/b.log', "x\ty\nz 'q'"],
    ]);
  });

  it('refuses a record whose key or value holds a delimiter, naming it', () => {
    expect(() =>
      kcatInput([
        { key: 'k', value: 'v' },
        { key: 'k', value: 'a\x1eb' },
      ]),
    ).toThrow(/record 1: its value/);
    expect(() => kcatInput([{ key: 'a\x1fb', value: 'v' }])).toThrow(/record 0: its key/);
  });

  it('is empty for no records', () => {
    expect(kcatInput([])).toBe('');
  });
});

describe('kcat arguments', () => {
  it('sets each header with -H and refuses a name holding =', () => {
    expect(kcatHeaderArgs({ 'siem.s3.key': 'a/b=c.log', 'siem.s3.record': '0' })).toEqual([
      '-H',
      'siem.s3.key=a/b=c.log',
      '-H',
      'siem.s3.record=0',
    ]);
    expect(() => kcatHeaderArgs({ 'a=b': 'c' })).toThrow(/holds '='/);
  });

  it('produces with the chain delimiters, murmur2 keys and the headers', () => {
    expect(kcatProducerArgs(endpoints, 'p.1')).toEqual([
      '-P',
      '-q',
      '-b',
      '127.0.0.1:33092',
      '-t',
      'p.1',
      '-K',
      '\\x1f',
      '-D',
      '\\x1e',
      '-X',
      'partitioner=murmur2_random',
      '-H',
      'siem.log.type=firewall',
    ]);
  });

  it('consumes a group from the earliest offset, unbuffered, exiting after the records', () => {
    const args = kcatConsumerArgs(endpoints, hop);
    expect(args.slice(0, 3)).toEqual(['-C', '-q', '-u']);
    expect(args.at(-1)).toBe('p.0');
    const pairs = Object.fromEntries(args.flatMap((a, i) => (a.startsWith('-') && i + 1 < args.length ? [[a, args[i + 1]]] : [])));
    expect(pairs).toMatchObject({ '-G': 'p.hop-0', '-c': '50000', '-K': '\\x1f', '-D': '\\x1e', '-b': '127.0.0.1:33092' });
    expect(args.join(' ')).toContain('-X auto.offset.reset=earliest');
  });

  it('pipes the consumer into the producer, every argument single-quoted', () => {
    const command = kcatHopCommand('/usr/bin/kcat', endpoints, hop);
    const [consume, produce] = command.split(' | ');
    expect(consume?.startsWith("'/usr/bin/kcat' '-C'")).toBe(true);
    expect(consume?.endsWith("'p.0'")).toBe(true);
    expect(produce).toBe(kcatProducerArgs(endpoints, 'p.1').reduce((s, a) => `${s} ${shellQuote(a)}`, "'/usr/bin/kcat'"));
  });
});

describe('shell quoting', () => {
  it('wraps in single quotes and closes, escapes and reopens them around a quote', () => {
    expect(shellQuote('a b$c')).toBe("'a b$c'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });
});

describe('kcat -V', () => {
  it('gives the kcat and librdkafka versions', () => {
    const text =
      'kcat - Apache Kafka producer and consumer tool\nCopyright (c) 2014-2021, Magnus Edenhill\nVersion 1.7.1 (JSON, Transactions, IncrementalAssign, librdkafka 2.0.2 builtin.features=gzip,snappy)\n';
    expect(kcatVersions(text)).toEqual({ kcat: '1.7.1', librdkafka: '2.0.2' });
    expect(kcatVersions('something else')).toEqual({});
  });
});

describe('/proc/<pid>/stat', () => {
  it('gives the parent pid after the command name, whatever it holds', () => {
    expect(parentPid('4242 (kcat) S 4241 4241 7 0 -1 4194560')).toBe(4241);
    expect(parentPid('4242 (a) b (c) S 17 4241 7 0')).toBe(17);
    expect(parentPid('')).toBeUndefined();
  });
});

describe('chain topics', () => {
  it('are <prefix>0 … <prefix><hops>', () => {
    expect(chainTopicNames('e2e1.kcat.', 2)).toEqual(['e2e1.kcat.0', 'e2e1.kcat.1', 'e2e1.kcat.2']);
  });
});
