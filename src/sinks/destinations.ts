import { cloudwatchLogsSink } from './cloudwatch-logs/index.js';
import { sentinelSink } from './sentinel/index.js';
import { splunkHecSink } from './splunk-hec/index.js';
import { syslogSink } from './syslog/index.js';

/**
 * Every destination, registered once: the topology's `sinks[]` schema (config.ts) and the lookup
 * that opens a sink by its `type` (registry.ts) are both built from this list. Adding a
 * destination is its module under src/sinks/<name>/ and one entry here (docs/sinks.md).
 */
export const DESTINATIONS = [sentinelSink, splunkHecSink, syslogSink, cloudwatchLogsSink] as const;
