import { readFileSync } from 'node:fs';
import { SiemStreamError } from '../errors.js';

/** A secret from a file (a mounted secret), trailing newline ignored; `field` names the setting in the error. */
export function readSecretFile(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    throw new SiemStreamError('CONFIG_INVALID', `${field}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? cause})`, {
      cause,
    });
  }
}
