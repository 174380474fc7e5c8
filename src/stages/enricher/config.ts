import { z } from 'zod';

/**
 * One event-time window per entity. `tumbling` (the default without `advanceMs`) and `hopping`
 * (with it) windows are aligned to the epoch; a `sliding` window is the `sizeMs` before each event,
 * kept in panes of `advanceMs` (default sizeMs / 12), so its edge moves in steps of that.
 */
export const windowSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]+$/, 'lower-case letters, digits or "_"'),
    kind: z.enum(['tumbling', 'hopping', 'sliding']).optional(),
    sizeMs: z.number().int().positive(),
    advanceMs: z.number().int().positive().optional(),
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
    /** depth of the parse tree, counting the root and the token-count level (Drain's "depth") */
    depth: z.number().int().min(3).max(10).default(4),
    /** share of equal tokens a line needs to join a template */
    similarityThreshold: z.number().gt(0).max(1).default(0.4),
    /** children per tree node; beyond it new tokens share a "<*>" child */
    maxChildren: z.number().int().positive().default(100),
    /** templates kept per partition; the least recently matched is dropped beyond it */
    maxTemplates: z.number().int().positive().default(2_000),
  })
  .strict();

export const modelSchema = z
  .object({
    /** the ONNX file; its metadata is the same path with `.json` in place of `.onnx` */
    path: z.string().min(1).default('models/isolation-forest.onnx'),
    /** reload when the file changes (SIGHUP always reloads) */
    watch: z.boolean().default(true),
  })
  .strict();

/** The flag threshold follows each stream's own scores (docs/enrichment.md, "Calibrated flags"). */
export const calibrationSchema = z
  .object({
    /** the most of a log type's events flagged by score once calibrated (the model's own threshold may flag fewer) */
    targetAlertRate: z.number().gt(0).max(0.2).default(0.005),
    /** a log type's events per partition before its own threshold is used; until then the model's threshold is */
    warmUpEvents: z.number().int().min(5).default(500),
    /** what a threshold is kept per: the log type, or the ASIM EventSchema */
    by: z.enum(['logType', 'eventSchema']).default('logType'),
    /**
     * an entity's events per feature window that count towards the threshold (beyond it, only every
     * doubling counts): a port scan's burst of thousands of events must not become the stream's idea
     * of normal and hide the next attack, and a busy entity's normal must still count
     */
    maxPerEntityWindow: z.number().int().positive().default(10),
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
    groupId: z.string().min(1).default('siem-enricher'),
    windows: z
      .array(windowSchema)
      .min(1)
      .default([
        { name: 'm1', sizeMs: 60_000 },
        { name: 'm5', sizeMs: 300_000, advanceMs: 60_000 },
        { name: 'h1', sizeMs: 3_600_000, advanceMs: 600_000 },
      ]),
    /** the window whose aggregates become the event's features and WindowStart/WindowEventCount */
    featureWindow: z.string().default('m1'),
    /**
     * how far behind its source's newest event time an event may be and still count as on time, for
     * log types without their own grace; AWS-delivered formats have their delivery's (docs/enrichment.md)
     */
    graceMs: z.number().int().min(0).default(180_000),
    /** grace per log type (by its name in logTypes), over its format's default */
    graceMsByLogType: z.record(z.string(), z.number().int().min(0)).default({}),
    /** how long after its source's watermark closed it a window keeps its state: a later event is LateEvent but still counted in it */
    allowedLatenessMs: z.number().int().min(0).default(300_000),
    /** a log type whose newest event is this far behind the newest of any log type no longer holds window state for the others */
    idleSourceMs: z.number().int().positive().default(3_600_000),
    /** entities kept per partition; the least recently seen is evicted beyond it (siem_enricher_entities_evicted_total) */
    maxEntitiesPerPartition: z.number().int().positive().default(50_000),
    /** distinct destinations / ports / users remembered per window; counts saturate there */
    maxDistinctPerWindow: z.number().int().positive().default(256),
    drain: drainSchema.default({}),
    calibration: calibrationSchema.default({}),
    /** regular expressions (case-insensitive) over the event's line; a never-seen template matching one is flagged */
    sensitiveOperations: z.array(regexSource).default(DEFAULT_SENSITIVE_OPERATIONS),
    model: modelSchema.default({}),
    maxRecordsPerTransaction: z.number().int().positive().default(500),
    /** partitions whose chunks are worked on side by side; chunks that are ready together commit in one transaction */
    partitionsConsumedConcurrently: z.number().int().positive().default(3),
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
