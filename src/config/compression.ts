import { z } from 'zod';

/** Codecs a topic can be written with (librdkafka's `compression.type`). */
export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

export const codecSchema = z.enum(CODECS, {
  errorMap: () => ({ message: `one of ${CODECS.join(', ')}` }),
});

/** A topic name without the prefix (`raw.alb`), or a name ending in `*` that matches every topic starting so (`raw.*`). */
const topicPatternSchema = z.string().regex(/^[a-z0-9._-]+\*?$|^\*$/, 'a topic name without the prefix, optionally ending in *');

/** Per-topic compression: raw topics (many similar text records) compress well, so they default to gzip. */
export const compressionSchema = z
  .record(topicPatternSchema.describe('topic'), codecSchema)
  .default({ 'raw.*': 'gzip' })
  .describe(
    "codec a topic is written with; keys are topic names without the prefix (`raw.alb`), or a name ending in `*` for a family (`raw.*`); an exact key wins over a pattern, the longest pattern over a shorter one, unlisted topics are `none`. A producer has one codec: each stage's producer takes the codec of its main output (the source: the raw topic of its first route; the parser: the normalized topic; the enricher: the enriched topic), and its DLQ and state records share it. Raw topics carry many similar text records, which gzip shrinks several times over; chunks are sized on uncompressed bytes, so compression never loosens the byte bound",
  );

export type CompressionSettings = z.infer<typeof compressionSchema>;
export type CompressionOf = (topic: string) => Codec;

/** The codec of a topic: its exact entry, else the longest matching `*` pattern, else none. */
export function compressionFor(settings: CompressionSettings, prefix: string, topic: string): Codec {
  const name = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  const exact = settings[name];
  if (exact) return exact;
  let best: { length: number; codec: Codec } | undefined;
  for (const [pattern, codec] of Object.entries(settings)) {
    if (!pattern.endsWith('*')) continue;
    const stem = pattern.slice(0, -1);
    if (name.startsWith(stem) && (!best || stem.length > best.length)) best = { length: stem.length, codec };
  }
  return best?.codec ?? 'none';
}

/** The codec of each topic of a topology (its `topics.compression`). */
export function topologyCompression(topics: { prefix: string; compression: CompressionSettings }): CompressionOf {
  return (topic) => compressionFor(topics.compression, topics.prefix, topic);
}
