import './kafkajs-read-committed-fix.js';
import kafkajs, { type CompressionTypes } from 'kafkajs';
import type { Codec } from '../config/compression.js';

export type { CompressionOf } from '../config/compression.js';

// kafkajs is CommonJS and builds its exports with a spread, so Node sees no named CompressionTypes
const KAFKAJS_CODECS: Record<Codec, CompressionTypes> = { none: kafkajs.CompressionTypes.None, gzip: kafkajs.CompressionTypes.GZIP };

/** The client's name for a codec (the only kafkajs-specific part of compression). */
export function clientCompression(codec: Codec): CompressionTypes {
  return KAFKAJS_CODECS[codec];
}
