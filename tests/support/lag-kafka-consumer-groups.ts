import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fetchMaven } from '../../src/dev/stack/cache.js';
import { findJava } from '../../src/dev/stack/java.js';

/**
 * kafka-tools (home of ConsumerGroupCommand) is not on Maven Central for the broker's 4.4.0;
 * the newest published release runs on its own classpath — clients talk to newer brokers by design.
 */
export const KAFKA_TOOLS_VERSION = '4.3.1';

export interface ConsumerGroupsRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: string;
  logEndOffset: string;
  lag: string;
}

/** Kafka's own `kafka-consumer-groups --describe` (the class bin/kafka-consumer-groups.sh runs). */
export async function kafkaConsumerGroupsDescribe(bootstrap: string, group: string): Promise<ConsumerGroupsRow[]> {
  const progress = (m: string) => process.stderr.write(`[kafka-tools] ${m}\n`);
  const tools = await fetchMaven(
    `kafka-tools-${KAFKA_TOOLS_VERSION}`,
    [{ coords: `org.apache.kafka:kafka-tools:${KAFKA_TOOLS_VERSION}` }],
    progress,
  );
  const java = findJava(17, 'kafka-consumer-groups');
  const { stdout } = await promisify(execFile)(
    java.bin,
    [
      '-cp',
      join(tools, '*'),
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      '--bootstrap-server',
      bootstrap,
      '--describe',
      '--group',
      group,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  const header = lines.findIndex((l) => l.trim().startsWith('GROUP'));
  if (header < 0) throw new Error(`unexpected kafka-consumer-groups output:\n${stdout}`);
  const columns = (lines[header] as string).trim().split(/\s+/);
  return lines.slice(header + 1).map((line) => {
    const cells = line.trim().split(/\s+/);
    const cell = (name: string) => cells[columns.indexOf(name)] ?? '';
    return {
      group: cell('GROUP'),
      topic: cell('TOPIC'),
      partition: Number(cell('PARTITION')),
      currentOffset: cell('CURRENT-OFFSET'),
      logEndOffset: cell('LOG-END-OFFSET'),
      lag: cell('LAG'),
    };
  });
}
