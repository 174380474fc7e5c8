import { z } from 'zod';
import { DESTINATIONS } from './destinations.js';
import type { SinkModule } from './sink-module.js';

type ConfigSchemas<M extends readonly SinkModule[]> = { -readonly [I in keyof M]: M[I]['configSchema'] };

const [first, ...rest] = DESTINATIONS.map((d) => d.configSchema);
if (!first) throw new Error('no sink destinations are registered');

/** Every destination's config, told apart by `type`: the union of the schemas in destinations.ts. */
export const sinkSchema = z.discriminatedUnion('type', [first, ...rest] as ConfigSchemas<typeof DESTINATIONS>);
export type SinkConfig = z.infer<typeof sinkSchema>;
