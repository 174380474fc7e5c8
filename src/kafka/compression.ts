import type { Codec } from '../config/compression.js';
import { type CompressionType, CompressionTypes } from './client.js';

export type { CompressionOf } from '../config/compression.js';

const KAFKAJS_CODECS: Record<Codec, CompressionType> = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP };

/** The client's name for a codec (the only kafkajs-specific part of compression). */
export function clientCompression(codec: Codec): CompressionType {
  return KAFKAJS_CODECS[codec];
}
