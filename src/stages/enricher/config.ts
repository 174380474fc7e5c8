import { z } from 'zod';

/**
 * One event-time window per entity. `tumbling` (the default without `advanceMs`) and `hopping`
 * (with it) windows are aligned to the epoch; a `sliding` window is the `sizeMs` before each event,
 * kept in panes of `advanceMs` (default sizeMs / 12), so its edge moves in steps of that.
 */
export const windowSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9_]+$/, 'lower-case letters, digits or "_"')
      .describe('unique among the windows'),
    kind: z
      .enum(['tumbling', 'hopping', 'sliding'])
      .optional()
      .describe(
        '`tumbling` (the default without `advanceMs`) and `hopping` (the default with it) are aligned to the epoch; `sliding` is the `sizeMs` before each event, kept in panes of `advanceMs` (default `sizeMs / 12`), so its edge moves in steps of that ([enrichment](enrichment.md#windows-and-their-semantics))',
      ),
    sizeMs: z.number().int().positive().describe("the window's length"),
    advanceMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'hop between window starts (`hopping`) or pane resolution (`sliding`); must divide `sizeMs`. A `tumbling` window has none (or `sizeMs`); a `hopping` one needs it',
      ),
  })
  .strict()
  .superRefine((w, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['advanceMs'], message });
    if (w.advanceMs !== undefined && (w.advanceMs > w.sizeMs || w.sizeMs % w.advanceMs !== 0)) issue('advanceMs must divide sizeMs');
    if (w.kind === 'tumbling' && w.advanceMs !== undefined && w.advanceMs !== w.sizeMs)
      issue('a tumbling window has no advanceMs (or sizeMs)');
    if (w.kind === 'hopping' && w.advanceMs === undefined) issue('a hopping window needs advanceMs');
    if (w.kind === 'sliding' && w.advanceMs === undefined && w.sizeMs % 12 !== 0)
      issue('set advanceMs, the pane resolution of this sliding window (sizeMs is not divisible by 12)');
  });

export const drainSchema = z
  .object({
    depth: z
      .number()
      .int()
      .min(3)
      .max(10)
      .default(4)
      .describe(
        "depth of Drain's parse tree, counting the root and the token-count level (root, token count, then `depth − 2` leading tokens)",
      ),
    similarityThreshold: z.number().gt(0).max(1).default(0.4).describe('share of equal tokens a line needs to join a template'),
    maxChildren: z.number().int().positive().default(100).describe('children per tree node; beyond it new tokens share a `<*>` child'),
    maxTemplates: z
      .number()
      .int()
      .positive()
      .default(2_000)
      .describe('templates kept per partition; the least recently matched is dropped beyond it'),
  })
  .strict();

export const modelSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .default('models/isolation-forest.onnx')
      .describe('the ONNX model, relative to the working directory; its metadata is the same path with `.json` in place of `.onnx`'),
    watch: z.boolean().default(true).describe('reload when either file changes (SIGHUP always reloads)'),
  })
  .strict();

/** The flag threshold follows each stream's own scores (docs/enrichment.md, "Calibrated flags"). */
export const calibrationSchema = z
  .object({
    /** the most of a log type's events flagged by score once calibrated (the model's own threshold may flag fewer) */
    targetAlertRate: z
      .number()
      .gt(0)
      .max(0.2)
      .default(0.01)
      .describe("the most of a log type's events flagged by score once calibrated (the model's own threshold may flag fewer)"),
    warmUpEvents: z
      .number()
      .int()
      .min(5)
      .default(500)
      .describe("a log type's scores per partition before its own threshold is used; until then only the model's own threshold applies"),
    /** what a threshold is kept per: the log type, or the ASIM EventSchema */
    by: z
      .enum(['logType', 'eventSchema'])
      .default('logType')
      .describe('what a threshold is kept per: the log type, or the ASIM `EventSchema`'),
  })
  .strict();

/** Anomalies aggregated per entity, Drain template and window (docs/enrichment.md, "Incidents"). */
export const incidentsSchema = z
  .object({
    enabled: z.boolean().default(true).describe('aggregate flagged events into incident records on the `incidents` topic'),
    windowMs: z
      .number()
      .int()
      .min(1_000)
      .default(900_000)
      .describe(
        "length of an incident's event-time window, aligned to the epoch: one incident per entity, template and window; it closes once no active source can add to it any more (as window state)",
      ),
    maxExamples: z.number().int().min(1).max(50).default(5).describe('EventIds kept per incident (its first counted events)'),
    topFeatures: z
      .number()
      .int()
      .min(1)
      .max(9)
      .default(3)
      .describe("features per incident that lay furthest outside the model's training range"),
    maxOpenPerPartition: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        'open incidents held per input partition; beyond it an anomaly that would open a new one is not aggregated (it stays flagged on its event; `siem_enricher_incidents_refused_total`)',
      ),
  })
  .strict();

/** Operations whose first appearance in a log type is flagged on its own (a never-seen template of these). */
export const DEFAULT_SENSITIVE_OPERATIONS = [
  '\\bdelete\\w*',
  '\\bstop\\s*logging\\b',
  '\\bcreate\\s*access\\s*key\\b',
  '\\bdisable\\w*',
  '\\bdeactivate\\w*',
  '\\bput\\w*policy\\b',
  '\\battach\\w*policy\\b',
  '\\bupdate\\s*trail\\b',
  '\\bschedule\\s*key\\s*deletion\\b',
];

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

export const enricherSchema = z
  .object({
    groupId: z
      .string()
      .min(1)
      .default('siem-enricher')
      .describe('consumer group; also the prefix of the per-partition transactional ids, as for the parser'),
    windows: z
      .array(windowSchema)
      .min(1)
      .default([
        { name: 'm1', sizeMs: 60_000 },
        { name: 'm5', sizeMs: 300_000, advanceMs: 60_000 },
        { name: 'h1', sizeMs: 3_600_000, advanceMs: 600_000 },
      ])
      .describe(
        'event-time windows per entity: `m1` 1 min tumbling, `m5` 5 min every 1 min, `h1` 1 h every 10 min by default; names unique',
      ),
    featureWindow: z
      .string()
      .default('m5')
      .describe("the window whose aggregates become the event's features and `WindowStart`/`WindowEventCount`; one of `windows`"),
    graceMs: z
      .number()
      .int()
      .min(0)
      .default(180_000)
      .describe(
        "how far behind its source's (log type's) newest event time an event may be and still count as on time, for log types whose format has no delivery grace of its own (syslog, CEF, JSON, …); AWS-delivered formats have their delivery's ([enrichment](enrichment.md#windows-and-their-semantics)). Later ones are flagged `LateEvent`",
      ),
    graceMsByLogType: z
      .record(z.string().describe('log type'), z.number().int().min(0))
      .default({})
      .describe("grace per log type (its name under `logTypes`), over its format's delivery grace and `graceMs`"),
    allowedLatenessMs: z
      .number()
      .int()
      .min(0)
      .default(300_000)
      .describe(
        "how long after its source's watermark closed it a window keeps its state: a later event is `LateEvent` but is still counted in its window and reads its features",
      ),
    idleSourceMs: z
      .number()
      .int()
      .positive()
      .default(3_600_000)
      .describe(
        'a log type whose newest event is this far behind the newest of any log type no longer holds window state open for the others',
      ),
    maxEntitiesPerPartition: z
      .number()
      .int()
      .positive()
      .default(50_000)
      .describe('entities held per input partition; the least recently seen is evicted beyond it (`siem_enricher_entities_evicted_total`)'),
    maxDestinationsPerPartition: z
      .number()
      .int()
      .positive()
      .default(50_000)
      .describe(
        'destination addresses whose event counts one enricher partition keeps (feature rare_destination_log_bytes); beyond it the least recently seen is forgotten',
      ),
    maxDistinctPerWindow: z
      .number()
      .int()
      .positive()
      .default(256)
      .describe('distinct destinations / ports / users remembered per window; counts saturate there'),
    drain: drainSchema.default({}).describe('Drain template mining ([enrichment](enrichment.md#template-mining-drain))'),
    calibration: calibrationSchema
      .default({})
      .describe("the flag threshold follows each stream's own scores ([calibrated flags](enrichment.md#calibrated-flags))"),
    sensitiveOperations: z
      .array(regexSource)
      .default(DEFAULT_SENSITIVE_OPERATIONS)
      .describe(
        "regular expressions (case-insensitive) over the event's line; the first event of a never-seen template matching one is flagged whatever its score",
      ),
    incidents: incidentsSchema
      .default({})
      .describe('anomalies aggregated into incidents on the `incidents` topic ([incidents](enrichment.md#incidents))'),
    model: modelSchema.default({}).describe('the anomaly model ([model card](enrichment.md#model-card-modelsisolation-forestonnx))'),
    maxRecordsPerTransaction: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe('upper bound of input records of one partition per chunk; also the ONNX inference batch'),
    partitionsConsumedConcurrently: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe('partitions whose chunks are worked on side by side; chunks that are ready together commit in one transaction'),
  })
  .strict()
  .superRefine((e, ctx) => {
    const names = e.windows.map((w) => w.name);
    if (!names.includes(e.featureWindow)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['featureWindow'], message: `not a window; declared: ${names.join(', ')}` });
    }
    if (new Set(names).size !== names.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['windows'], message: 'window names must be unique' });
    }
  });

export type EnricherConfig = z.infer<typeof enricherSchema>;
export type WindowSpec = z.infer<typeof windowSchema>;
export type DrainConfig = z.infer<typeof drainSchema>;
export type IncidentsConfig = z.infer<typeof incidentsSchema>;
