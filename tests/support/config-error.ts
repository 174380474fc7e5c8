import { SiemStreamError } from '../../src/errors.js';

/** The SiemStreamError a config check throws; fails the test when it throws nothing. */
export function configError(fn: () => unknown): SiemStreamError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SiemStreamError) return error;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}
