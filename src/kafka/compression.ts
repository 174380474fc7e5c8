import './kafkajs-read-committed-fix.js';
import { CompressionTypes } from 'kafkajs';
import type { Codec } from '../config/compression.js';

export type { CompressionOf } from '../config/compression.js';

const KAFKAJS_CODECS: Record<Codec, CompressionTypes> = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP };

/** The client's name for a codec (the only kafkajs-specific part of compression). */
export function clientCompression(codec: Codec): CompressionTypes {
  return KAFKAJS_CODECS[codec];
}
