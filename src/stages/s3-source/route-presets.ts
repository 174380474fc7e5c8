import type { Framing } from './config.js';
import type { KeyRoute } from './key-routes.js';

/**
 * Built-in routes for the key layouts AWS services write (docs/s3-source.md#aws-presets). A
 * preset entry in `routes` expands, where it stands, into the routes below plus `ignore` globs
 * for objects of the same service that hold no log records (CloudTrail digest files).
 */
interface RoutePreset {
  /** the log type its records go to unless the entry names another */
  logType: string;
  /** what `prefix` means when the entry sets none: AWS services write below an optional prefix */
  defaultPrefix: string;
  routes: Array<{ match: string; framing?: Framing }>;
  ignore?: string[];
}

/** `<p>` stands for the entry's prefix: for AWSLogs layouts "**\/" (any, or none) unless set. */
const PRESETS = {
  cloudtrail: {
    logType: 'cloudtrail',
    defaultPrefix: '**/',
    routes: [
      // AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 chars>.json.gz
      { match: '<p>AWSLogs/**/CloudTrail/**/*_CloudTrail_*.json.gz', framing: 'json-records' },
      // Insights events: AWSLogs/<account>/CloudTrail-Insight/<region>/YYYY/MM/DD/<account>_CloudTrail-Insight_<region>_….json.gz
      { match: '<p>AWSLogs/**/CloudTrail-Insight/**/*_CloudTrail-Insight_*.json.gz', framing: 'json-records' },
    ],
    // digest files (log file integrity validation) are hashes and signatures, not events
    ignore: ['<p>AWSLogs/**/CloudTrail-Digest/**'],
  },
  vpcflow: {
    logType: 'vpcflow',
    defaultPrefix: '**/',
    // AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD[/HH]/<account>_vpcflowlogs_<region>_<fl-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz,
    // or with Hive-compatible prefixes AWSLogs/aws-account-id=…/aws-service=vpcflowlogs/aws-region=…/year=…/…; Parquet files are not read
    routes: [{ match: '<p>AWSLogs/**/*_vpcflowlogs_*.log.gz' }],
  },
  alb: {
    logType: 'alb',
    defaultPrefix: '**/',
    routes: [
      // Application Load Balancer: AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/<account>_elasticloadbalancing_<region>_app.<lb>.<id>_<end>_<ip>_<rand>.log.gz
      // (connection logs, "conn_log.<account>_…", have another format and are not matched)
      { match: '<p>AWSLogs/**/elasticloadbalancing/**/????????????_elasticloadbalancing_*_app.*.log.gz' },
      // Classic Load Balancer: the same folders, <account>_elasticloadbalancing_<region>_<lb>_<end>_<ip>_<rand>.log, not compressed
      { match: '<p>AWSLogs/**/elasticloadbalancing/**/????????????_elasticloadbalancing_*.log' },
    ],
  },
  guardduty: {
    logType: 'guardduty',
    defaultPrefix: '**/',
    // findings exported to S3 (KMS-encrypted; S3 decrypts for a reader allowed to use the key):
    // AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz, one finding per line
    routes: [{ match: '<p>AWSLogs/**/GuardDuty/**/*.jsonl.gz' }],
  },
  waf: {
    logType: 'waf',
    defaultPrefix: '**/',
    // AWSLogs/<account>/WAFLogs/<region|cloudfront>/<web-acl>/YYYY/MM/dd/HH/mm/<account>_waflogs_<region>_<web-acl>_<timestamp>_<hash>.log.gz
    routes: [{ match: '<p>AWSLogs/**/WAFLogs/**/*_waflogs_*.log.gz' }],
  },
  's3-access': {
    logType: 's3access',
    // the target prefix is the user's choice, written before the key as it is (it may end in "/" or not)
    defaultPrefix: '',
    routes: [
      // simple key format: <prefix>YYYY-mm-DD-HH-MM-SS-<UniqueString>
      { match: '<p>????-??-??-??-??-??-*' },
      // partitioned: <prefix><source account>/<source region>/<source bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<UniqueString>
      { match: '<p>*/*/*/????/??/??/????-??-??-??-??-??-*' },
    ],
  },
} satisfies Record<string, RoutePreset>;

export type RoutePresetName = keyof typeof PRESETS;
export const ROUTE_PRESET_NAMES = Object.keys(PRESETS) as [RoutePresetName, ...RoutePresetName[]];

/** A `routes` entry naming a preset (the other keys of a route, if any, apply to each of its routes). */
export interface PresetRouteEntry {
  preset: RoutePresetName;
  prefix?: string | undefined;
  logType?: string | undefined;
}

/** Which `routes` entry an expanded route came from, so config errors name the entry the user wrote. */
export interface RouteOrigin {
  entry: number;
  preset?: RoutePresetName;
}

const origins = new WeakMap<object, RouteOrigin>();

export function routeOrigin(route: object): RouteOrigin | undefined {
  return origins.get(route);
}

/** The routes a list of entries stands for, presets expanded where they stand, and the globs of keys never read. */
export function expandRoutePresets<R extends KeyRoute>(
  entries: ReadonlyArray<R | (PresetRouteEntry & Omit<R, keyof KeyRoute>)>,
): { routes: R[]; ignore: string[] } {
  const routes: R[] = [];
  const ignore: string[] = [];
  entries.forEach((entry, index) => {
    if (!('preset' in entry)) {
      origins.set(entry, { entry: index });
      routes.push(entry);
      return;
    }
    const { preset: name, prefix, logType, ...rest } = entry;
    const preset: RoutePreset = PRESETS[name];
    const p = prefixGlob(prefix ?? preset.defaultPrefix, preset.defaultPrefix !== '');
    for (const { match, framing } of preset.routes) {
      // the entry's other keys (settings every route has) carry over to each of the preset's routes
      const route = {
        ...rest,
        match: match.replace('<p>', p),
        logType: logType ?? preset.logType,
        framing: framing ?? 'lines',
      } as unknown as R;
      origins.set(route, { entry: index, preset: name });
      routes.push(route);
    }
    for (const glob of preset.ignore ?? []) ignore.push(glob.replace('<p>', p));
  });
  return { routes, ignore };
}

/** A folder prefix gets its "/" (AWS writes `<prefix>/AWSLogs/…`); the S3 access logs' target prefix stays as written. */
function prefixGlob(prefix: string, folder: boolean): string {
  if (!folder || prefix === '' || prefix.endsWith('/')) return prefix;
  return `${prefix}/`;
}
