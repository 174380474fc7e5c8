import { readFileSync } from 'node:fs';
import { SiemStreamError } from '../errors.js';

/**
 * A secret held in a file (a mounted Kubernetes/Docker secret), read at start; one trailing
 * newline is dropped because editors and `echo` add it. `field` names the config path for errors.
 */
export function readSecretFile(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    throw new SiemStreamError('CONFIG_INVALID', `${field}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? cause})`, {
      cause,
    });
  }
}
