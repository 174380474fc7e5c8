import { z } from 'zod';

/** One event-time window per entity: tumbling when `advanceMs` is absent or equals `sizeMs`, hopping otherwise. */
export const windowSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]+$/, 'lower-case letters, digits or "_"'),
    sizeMs: z.number().int().positive(),
    advanceMs: z.number().int().positive().optional(),
  })
  .strict()
  .refine((w) => w.advanceMs === undefined || (w.advanceMs <= w.sizeMs && w.sizeMs % w.advanceMs === 0), {
    message: 'advanceMs must divide sizeMs',
    path: ['advanceMs'],
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
    /** how far behind the partition's newest event time an event may be and still count in its windows */
    graceMs: z.number().int().min(0).default(30_000),
    /** entities kept per partition; the least recently seen is evicted beyond it (siem_enricher_entities_evicted_total) */
    maxEntitiesPerPartition: z.number().int().positive().default(50_000),
    /** distinct destinations / ports / users remembered per window; counts saturate there */
    maxDistinctPerWindow: z.number().int().positive().default(256),
    drain: drainSchema.default({}),
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
