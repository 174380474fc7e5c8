#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { localStackDown, localStackStatus, localStackUp } from '../dev/local-stack.js';
import { SiemStreamError } from '../errors.js';
import { registerChaosCommand } from './chaos-command.js';
import { registerDcrCommand } from './dcr-command.js';
import { demoCommand } from './demo-command.js';
import { registerDlqCommand } from './dlq-command.js';
import { registerLagCommand } from './lag-command.js';
import { registerLagExporterCommand } from './lag-exporter-command.js';
import { registerModelCommand } from './model-command.js';
import { registerReplayCommand } from './replay-command.js';
import { runCommand } from './run-command.js';
import { registerS3Commands } from './s3-command.js';

const program = new Command('siem-stream')
  .description('Move security logs from S3 into SIEMs: an exactly-once dataflow on Apache Kafka')
  .showHelpAfterError();

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
};

program
  .command('run')
  .description('run stages of a topology until SIGTERM/SIGINT')
  .argument('<topology>', 'topology YAML, e.g. topologies/default.yaml')
  .option('--stage <name...>', 'stage(s) to run: s3-source, parser, enricher, or a sink name')
  .option('--all', 'run every stage of the topology in this process')
  .option('--no-create-topics', 'do not create missing topics at start')
  .option('--metrics-port <port>', 'port for /metrics, /healthz, /readyz (0 = any free port)', integer)
  .option('--shutdown-deadline <ms>', 'exit after this long if a graceful stop hangs', integer, 30_000)
  .option('--lag-interval <ms>', 'refresh the lag metrics this often (0 = no lag metrics)', integer, 30_000)
  .action(
    (
      topology: string,
      o: { stage?: string[]; all?: boolean; createTopics: boolean; metricsPort?: number; shutdownDeadline: number; lagInterval: number },
    ) => runCommand(topology, { ...o, shutdownDeadlineMs: o.shutdownDeadline, lagIntervalMs: o.lagInterval }),
  );

interface StackUpFlags {
  home: string;
  brokers: 1 | 3;
  kafkaPort?: number;
  controllerPort?: number;
  kafkaSecurePort?: number;
  kafkaAuthPort?: number;
  oidcPort?: number;
  registryPort?: number;
  s3Port?: number;
  sqsPort?: number;
  cloudwatchPort?: number;
  emulatorPort?: number;
  registrySecurePort?: number;
}

const stack = program
  .command('stack')
  .description(
    'the local stack: Kafka (KRaft), schema registry (+ its HTTPS proxy), S3, SQS, CloudWatch Logs (moto), Logs Ingestion emulator',
  );
stack
  .command('up')
  .option('--home <dir>', 'state, data and logs folder', '.stack')
  .option('--brokers <n>', 'Kafka brokers (1 or 3)', integer, 1)
  .option('--kafka-port <port>', 'first broker port (broker n listens on port + 2·(n−1))', integer)
  .option('--controller-port <port>', 'first KRaft controller port', integer)
  .option('--kafka-secure-port <port>', 'first broker SASL_SSL port', integer)
  .option('--kafka-auth-port <port>', 'add OAUTHBEARER (this port) and mTLS (port + 1) listeners; broker n on port + 2·(n−1)', integer)
  .option('--oidc-port <port>', 'the OIDC issuer the OAUTHBEARER listener trusts (with --kafka-auth-port; default 18450)', integer)
  .option('--registry-port <port>', 'schema registry port', integer)
  .option('--s3-port <port>', 'S3 server port', integer)
  .option('--sqs-port <port>', 'SQS server port', integer)
  .option('--cloudwatch-port <port>', 'CloudWatch Logs (moto) server port', integer)
  .option('--emulator-port <port>', 'Logs Ingestion emulator port', integer)
  .option('--registry-secure-port <port>', 'schema registry over HTTPS with basic auth (a proxy) port', integer)
  .action(async (o: StackUpFlags) => {
    if (o.brokers !== 1 && o.brokers !== 3) throw new InvalidArgumentError('--brokers must be 1 or 3');
    const ports = {
      ...(o.kafkaPort === undefined ? {} : { kafka: o.kafkaPort }),
      ...(o.controllerPort === undefined ? {} : { controller: o.controllerPort }),
      ...(o.kafkaSecurePort === undefined ? {} : { kafkaSecure: o.kafkaSecurePort }),
      ...(o.kafkaAuthPort === undefined ? {} : { kafkaAuth: o.kafkaAuthPort, oidc: o.oidcPort ?? 18450 }),
      ...(o.registryPort === undefined ? {} : { registry: o.registryPort }),
      ...(o.s3Port === undefined ? {} : { s3: o.s3Port }),
      ...(o.sqsPort === undefined ? {} : { sqs: o.sqsPort }),
      ...(o.cloudwatchPort === undefined ? {} : { cloudwatch: o.cloudwatchPort }),
    };
    const endpoints = await localStackUp({
      home: o.home,
      brokers: o.brokers,
      ports,
      ...(o.emulatorPort === undefined ? {} : { emulatorPort: o.emulatorPort }),
      ...(o.registrySecurePort === undefined ? {} : { registrySecurePort: o.registrySecurePort }),
      onProgress: (m) => process.stderr.write(`${m}\n`),
    });
    process.stdout.write(`${JSON.stringify(endpoints, null, 2)}\n`);
  });
stack
  .command('down')
  .option('--home <dir>', 'state, data and logs folder', '.stack')
  .action((o: { home: string }) => localStackDown(o));
stack
  .command('status')
  .option('--home <dir>', 'state, data and logs folder', '.stack')
  .action(async (o: { home: string }) => {
    const rows = await localStackStatus(o);
    for (const r of rows) {
      process.stdout.write(
        `${r.service.padEnd(26)} ${r.running ? 'running' : 'stopped'}  ${r.healthy ? 'healthy' : 'unhealthy'}  pid=${r.pid ?? '-'}  ${r.endpoint ?? ''}  log=${r.log}\n`,
      );
    }
  });

program
  .command('demo')
  .description('start the local stack, write sample logs to S3, run every stage, print a summary')
  .option('--topology <file>', 'topology to run', 'topologies/default.yaml')
  .option('--objects <n>', 'sample objects to write', integer, 12)
  .option('--records-per-object <n>', 'records per sample object', integer, 1_000)
  .option('--keep-stack', 'leave the local stack running afterwards', false)
  .option('--timeout <ms>', 'give up after this long', integer, 300_000)
  .action((o: { topology: string; objects: number; recordsPerObject: number; keepStack: boolean; timeout: number }) =>
    demoCommand({ ...o, timeoutMs: o.timeout }),
  );

registerS3Commands(program);
registerDcrCommand(program);
registerLagCommand(program);
registerLagExporterCommand(program);
registerReplayCommand(program);
registerModelCommand(program);
registerDlqCommand(program);
registerChaosCommand(program, integer);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof SiemStreamError) process.stderr.write(`siem-stream: ${error.code}: ${error.message}\n`);
  else process.stderr.write(`siem-stream: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
