import type { KafkaConfig } from '../config/schema.js';
import { SiemStreamError } from '../errors.js';
import { describeGroup } from '../kafka/protocol/index.js';
import type { Logger } from '../observability/logger.js';

export interface GroupLivenessOptions {
  /** the topology's Kafka settings: the group is described through the project's protocol client */
  config: KafkaConfig;
  groupId: string;
  /** this process's client id (unique per process), as the group's member list shows it */
  clientId: string;
  /** how long this member may be missing from a settled group before the stage is declared stalled */
  stallMs: number;
  checkEveryMs?: number;
  logger: Logger;
  onStalled: (error: SiemStreamError) => void;
}

/**
 * The stage shell's liveness rule for a group consumer: a live process that does nothing must be
 * impossible. librdkafka consumers have been seen to stay alive outside their group after the
 * group coordinator's broker died (confluent-kafka-javascript#476; docs/decisions/kafka-client.md),
 * or to leave the group stuck rebalancing. So the group is looked at every few seconds; when it
 * has not been Stable with this member in it for `stallMs`, the stage fails and its supervisor
 * restarts it, which rejoins. An idle, healthy group never trips it (no lag is involved).
 * The group is described by the project's protocol client, one connection per check: librdkafka's
 * describeGroups crashes the process with SIGSEGV when the broker answers the group with an error
 * (confluent-kafka-javascript#531), which is what it does during the broker faults this watches for.
 */
export function watchGroupMembership(options: GroupLivenessOptions): { stop(): void } {
  const { config, groupId, clientId, stallMs, logger } = options;
  let healthySince = Date.now();
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const group = await describeGroup(config, groupId);
      const member = group.members.some((m) => m.clientId === clientId);
      if (member && group.state === 'Stable') healthySince = Date.now();
      else logger.debug({ state: group.state, member }, 'group not settled with this member');
    } catch (error) {
      logger.debug({ err: error }, 'group liveness check failed');
    } finally {
      checking = false;
    }
    if (Date.now() - healthySince > stallMs) {
      timer.unref();
      clearInterval(timer);
      options.onStalled(
        new SiemStreamError(
          'KAFKA_STALLED',
          `${groupId}: this member has not been in a settled group for ${Math.round((Date.now() - healthySince) / 1000)} s`,
        ),
      );
    }
  };
  const timer = setInterval(() => void check(), options.checkEveryMs ?? 5_000);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
  };
}
