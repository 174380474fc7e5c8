import type { EnrichedEvent } from '../../schemas/events.js';
import type { NAME_FIELDS } from './config.js';

/** Where an event goes: its log group and stream. */
export interface LogTarget {
  group: string;
  stream: string;
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;

/** `{EventSchema}` / `{LogType}` replaced by the event's values (an empty one becomes `unknown`). */
export function fillName(template: string, event: EnrichedEvent): string {
  return template.replace(/\{([^}]*)\}/g, (_, field: (typeof NAME_FIELDS)[number]) => {
    const value = event[field];
    return value === null || value === undefined || value === '' ? 'unknown' : String(value);
  });
}

/** Why CloudWatch would refuse these names, if it would. */
export function targetProblem(target: LogTarget): string | undefined {
  if (!GROUP_NAME.test(target.group))
    return `log group name "${target.group}" is not 1-512 characters of letters, digits, '.', '-', '_', '/', '#'`;
  if (!STREAM_NAME.test(target.stream)) return `log stream name "${target.stream}" is not 1-512 characters without ':' or '*'`;
  return undefined;
}
