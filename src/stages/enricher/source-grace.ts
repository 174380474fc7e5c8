import type { EnricherConfig } from './config.js';
import type { SourceClockPolicy } from './source-clocks.js';

const MIN = 60_000;

/**
 * How far out of event-time order each AWS-delivered format arrives, from AWS's delivery
 * documentation: CloudTrail writes a file per account and region about every 5 minutes and
 * delivers it within ~15 minutes, so files of several accounts interleave by up to ~20; VPC Flow
 * aggregates for up to 10 minutes and publishes every 5; ALB and WAF publish every 5 minutes per
 * node; GuardDuty exports new findings within 5 minutes (updates up to 15); S3 server access logs
 * are best effort, usually within hours. Other formats (syslog, CEF, JSON written to S3 by a
 * shipper in objects of a minute or so from several collectors) use the enricher's `graceMs`.
 */
export const DELIVERY_GRACE_BY_FORMAT: Readonly<Record<string, number>> = {
  cloudtrail: 20 * MIN,
  vpcflow: 15 * MIN,
  alb: 10 * MIN,
  waf: 10 * MIN,
  guardduty: 15 * MIN,
  's3-access': 60 * MIN,
};

/**
 * The clock policy of a topology: a log type's own `graceMsByLogType` entry, else its format's
 * delivery grace, else `graceMs`.
 */
export function sourceClockPolicy(config: EnricherConfig, formatOf: Readonly<Record<string, string>> = {}): SourceClockPolicy {
  const cache = new Map<string, number>();
  return {
    graceOf(logType) {
      let grace = cache.get(logType);
      if (grace === undefined) {
        const format = formatOf[logType];
        grace =
          ownEntry(config.graceMsByLogType, logType) ??
          (format === undefined ? undefined : ownEntry(DELIVERY_GRACE_BY_FORMAT, format)) ??
          config.graceMs;
        cache.set(logType, grace);
      }
      return grace;
    },
    allowedLatenessMs: config.allowedLatenessMs,
    idleSourceMs: config.idleSourceMs,
  };
}

const ownEntry = (map: Readonly<Record<string, number>>, key: string): number | undefined =>
  Object.hasOwn(map, key) ? map[key] : undefined;
