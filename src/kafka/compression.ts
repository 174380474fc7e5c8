export type { CompressionOf } from '../config/compression.js';
