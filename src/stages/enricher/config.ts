import { z } from 'zod';

/** One event-time window per entity: tumbling when `advanceMs` is absent or equals `sizeMs`, hopping otherwise. */
export const windowSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9_]+$/, 'lower-case letters, digits or "_"')
      .describe('unique among the windows'),
    sizeMs: z.number().int().positive().describe("the window's length"),
    advanceMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('hop between window starts; must divide `sizeMs`. Without it (or equal to `sizeMs`) the window is tumbling'),
  })
  .strict()
  .refine((w) => w.advanceMs === undefined || (w.advanceMs <= w.sizeMs && w.sizeMs % w.advanceMs === 0), {
    message: 'advanceMs must divide sizeMs',
    path: ['advanceMs'],
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
      .default('m1')
      .describe("the window whose aggregates become the event's features and `WindowStart`/`WindowEventCount`; one of `windows`"),
    graceMs: z
      .number()
      .int()
      .min(0)
      .default(30_000)
      .describe(
        "how far behind the partition's newest event time an event may be and still count in its windows; later ones are flagged `LateEvent`",
      ),
    maxEntitiesPerPartition: z
      .number()
      .int()
      .positive()
      .default(50_000)
      .describe('entities held per input partition; the least recently seen is evicted beyond it (`siem_enricher_entities_evicted_total`)'),
    maxDistinctPerWindow: z
      .number()
      .int()
      .positive()
      .default(256)
      .describe('distinct destinations / ports / users remembered per window; counts saturate there'),
    drain: drainSchema.default({}).describe('Drain template mining ([enrichment](enrichment.md#template-mining-drain))'),
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
