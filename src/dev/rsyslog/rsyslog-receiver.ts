import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { loadOrCreateCertificate } from '../logs-ingestion-emulator/certificate.js';
import { findOrInstallRsyslogd } from './install.js';

export interface RsyslogReceiverOptions {
  /** working directory: config, spool, certificates, received messages, log */
  dir: string;
  port: number;
  transport: 'tcp' | 'tls';
  onProgress?: (message: string) => void;
}

/** One message as rsyslog parsed it (RFC 5424 fields), written by its template as a JSON line. */
export interface ReceivedMessage {
  pri: string;
  version: string;
  timestamp: string;
  hostname: string;
  app: string;
  procid: string;
  msgid: string;
  sd: string;
  msg: string;
}

export interface RsyslogReceiver {
  port: number;
  transport: 'tcp' | 'tls';
  /** the PEM file the receiver's certificate is checked against (tls) */
  caFile: string;
  outputFile: string;
  messages(): ReceivedMessage[];
  /** stop and start again on the same port and files (a receiver restart) */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real rsyslog receiver of our own: its own config, port, work directory and pid file (never the
 * system's), listening with imtcp on plain TCP or TLS (GnuTLS driver, anonymous client auth) and
 * writing every message it parsed as one JSON line.
 */
export async function startRsyslogReceiver(options: RsyslogReceiverOptions): Promise<RsyslogReceiver> {
  const bin = findOrInstallRsyslogd(options.onProgress);
  const dir = resolve(options.dir);
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  const cert = loadOrCreateCertificate(join(dir, 'tls'));
  const caFile = cert.certPath as string;
  const keyFile = join(dir, 'tls', 'emulator-key.pem');
  const outputFile = join(dir, 'messages.jsonl');
  const configFile = join(dir, 'rsyslog.conf');
  writeFileSync(configFile, rsyslogConfig({ ...options, work, caFile, keyFile, outputFile }));
  let child = await launch(bin, configFile, dir, options.port);
  return {
    port: options.port,
    transport: options.transport,
    caFile,
    outputFile,
    messages: () => readMessages(outputFile),
    restart: async () => {
      await terminate(child);
      child = await launch(bin, configFile, dir, options.port);
    },
    stop: () => terminate(child),
  };
}

function rsyslogConfig(o: RsyslogReceiverOptions & { work: string; caFile: string; keyFile: string; outputFile: string }): string {
  const q = (s: string) => JSON.stringify(s);
  const tls =
    o.transport === 'tls'
      ? `global(DefaultNetstreamDriverCAFile=${q(o.caFile)} DefaultNetstreamDriverCertFile=${q(o.caFile)} DefaultNetstreamDriverKeyFile=${q(o.keyFile)})
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")`
      : 'module(load="imtcp")';
  return `# written by siem-stream's test helper: a private receiver, not the system's rsyslog
global(workDirectory=${q(o.work)} maxMessageSize="64k")
${tls}
template(name="siemJson" type="string" string="{\\"pri\\":\\"%pri%\\",\\"version\\":\\"%protocol-version%\\",\\"timestamp\\":\\"%timestamp:::date-rfc3339,json%\\",\\"hostname\\":\\"%hostname:::json%\\",\\"app\\":\\"%app-name:::json%\\",\\"procid\\":\\"%procid:::json%\\",\\"msgid\\":\\"%msgid:::json%\\",\\"sd\\":\\"%structured-data:::json%\\",\\"msg\\":\\"%msg:::json%\\"}\\n")
ruleset(name="siem") {
  action(type="omfile" file=${q(o.outputFile)} template="siemJson" flushOnTXEnd="on" asyncWriting="off")
}
input(type="imtcp" port="${o.port}" address="127.0.0.1" ruleset="siem" SupportOctetCountedFraming="on")
`;
}

async function launch(bin: string, configFile: string, dir: string, port: number): Promise<ChildProcess> {
  const log = openSync(join(dir, 'rsyslogd.log'), 'a');
  const child = spawn(bin, ['-n', '-f', configFile, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', log, log] });
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}; see ${join(dir, 'rsyslogd.log')}`);
    if (Date.now() > deadline) throw new Error(`rsyslogd did not listen on ${port} within 15 s; see ${join(dir, 'rsyslogd.log')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function readMessages(file: string): ReceivedMessage[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // after the last newline: empty, or a line rsyslog is still writing
  return lines.map((line) => JSON.parse(line) as ReceivedMessage);
}
