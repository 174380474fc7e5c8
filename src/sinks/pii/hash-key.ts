import { createSecretKey, type KeyObject } from 'node:crypto';
import { readSecretFile } from '../../config/secret-file.js';
import { SiemStreamError } from '../../errors.js';
import type { HashKeySource } from './config.js';

/** 256 bits, the HMAC-SHA-256 block's worth of guessing an attacker must do. */
export const MIN_HASH_KEY_BYTES = 32;

/**
 * Reads the HMAC key of `hash` rules. It is held as a KeyObject, which prints as
 * `SecretKeyObject {}` in any log line, and errors name the setting, never the key.
 */
export function readHashKey(source: HashKeySource, path: string, env: NodeJS.ProcessEnv): KeyObject {
  let key: string;
  if (source.env !== undefined) {
    const value = env[source.env];
    if (value === undefined || value === '')
      throw new SiemStreamError('CONFIG_INVALID', `${path}.env: environment variable ${source.env} is not set`);
    key = value;
  } else {
    key = readSecretFile(source.file as string, `${path}.file`);
  }
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length < MIN_HASH_KEY_BYTES) {
    const where = source.env === undefined ? `${path}.file` : `${path}.env`;
    throw new SiemStreamError(
      'CONFIG_INVALID',
      `${where}: the key is ${bytes.length} bytes, at least ${MIN_HASH_KEY_BYTES} expected (e.g. openssl rand -hex 32)`,
    );
  }
  return createSecretKey(bytes);
}
