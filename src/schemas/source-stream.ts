/**
 * The source stream an S3 object belongs to: its log type and its key with the date and time
 * taken out. AWS writes each account, region, trail, flow log or load balancer as its own
 * time-ordered series of objects (`AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<time>_<id>.json.gz`),
 * and a listing in key order reads each series in event-time order, one after the other. Each
 * series therefore keeps its own clock: reading history replays its event time, and a series read
 * after another is not late against it.
 */
const DATE_SEGMENT = /^(?:\d{4}|\d{2}|\d{4}-\d{2}-\d{2}(?:-\d{2})?|(?:dt|date|year|month|day|hour)=[^/]*)$/;
/** the first date-time in a file name: 20261207T1005Z, 2026-12-07-10-05-00, 2026-12-07 (not a run of digits: account ids are) */
const TIME_IN_NAME = /\d{8}T\d{4,6}Z|\d{4}-\d{2}-\d{2}/;

export function sourceStreamOf(logType: string, key: string): string {
  const parts = key.split('/');
  const name = parts.pop() ?? '';
  const folders = parts.filter((p) => !DATE_SEGMENT.test(p));
  const time = TIME_IN_NAME.exec(name);
  // without a date-time in its name an object's name says nothing about its series: the folder is the series
  const series = time ? name.slice(0, time.index) : '';
  return `${logType}|${folders.join('/')}/${series}`;
}

export function logTypeOfStream(stream: string): string {
  const bar = stream.indexOf('|');
  return bar < 0 ? stream : stream.slice(0, bar);
}
