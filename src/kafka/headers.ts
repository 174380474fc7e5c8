import type { IHeaders } from './client.js';

export type StringHeaders = Record<string, string>;

/** The client hands headers as Buffer | string | arrays; stages only ever need the first value as text. */
export function readHeaders(headers: IHeaders | undefined): StringHeaders {
  const out: StringHeaders = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}
