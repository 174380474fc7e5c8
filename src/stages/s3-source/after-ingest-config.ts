import { z } from 'zod';
import { globToRegExp } from './key-routes.js';

/**
 * What happens to an object once its last record is committed, per route: `tag` adds tags
 * (existing tags are kept), `move` copies it under `prefix` (in `bucket`, default the same
 * bucket) and deletes the original, `delete` deletes it. Only objects read to their end get it;
 * one recorded as failed or superseded is left as it is.
 */
export const afterIngestSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('tag'),
      /** tags to set; S3 allows 10 per object, existing ones included */
      tags: z
        .record(z.string().min(1).max(128).describe('tag key'), z.string().max(256))
        .refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 10, {
          message: 'between 1 and 10 tags',
        })
        .describe(
          'tags to set, 1–10; existing tags are kept and a configured key replaces its value (S3 allows 10 per object, existing ones included)',
        ),
    })
    .strict()
    .describe("add tags to the object (the version read, on a versioned bucket), conditional on the object's ETag"),
  z
    .object({
      action: z.literal('move'),
      /** the object goes to `<prefix><its key>`; no route may match a key under it */
      prefix: z.string().min(1).describe('the object goes to `<prefix><its key>`; no route (presets included) may match a key under it'),
      bucket: z.string().min(3).optional().describe('the bucket it goes to; default: the same bucket'),
    })
    .strict()
    .describe('copy the object under `prefix`, then delete the original (both conditional on its ETag)'),
  z
    .object({ action: z.literal('delete') })
    .strict()
    .describe('delete the object, conditional on its ETag'),
]);

export type AfterIngest = z.infer<typeof afterIngestSchema>;
export type ObjectAction = AfterIngest['action'];

/** The after-ingest action of the first route matching a key (the route that routed it), if that route has one. */
export function afterIngestFor(routes: Array<{ match: string; afterIngest?: AfterIngest | undefined }>) {
  const compiled = routes.map((r) => ({ regex: globToRegExp(r.match), afterIngest: r.afterIngest }));
  return (key: string): AfterIngest | undefined => compiled.find((r) => r.regex.test(key))?.afterIngest;
}

/**
 * Whether a route's glob matches some key that starts with `prefix`: a moved object under such a
 * prefix would be discovered and read again as a new object. Walks the glob as a small NFA over
 * the prefix's characters; a state still alive at the prefix's end can be completed to a match.
 */
export function globCanMatchUnder(glob: string, prefix: string): boolean {
  const tokens = globTokens(glob);
  let states = closure(tokens, new Set([0]));
  for (const c of prefix) {
    const next = new Set<number>();
    for (const s of states) {
      const t = tokens[s];
      if (t === undefined) continue;
      if (t.kind === 'literal' && t.char === c) next.add(s + 1);
      else if (t.kind === 'one' && c !== '/') next.add(s + 1);
      else if (t.kind === 'segment' && c !== '/') next.add(s);
      else if (t.kind === 'any') next.add(s);
    }
    states = closure(tokens, next);
    if (states.size === 0) return false;
  }
  return true;
}

type GlobToken = { kind: 'literal'; char: string } | { kind: 'one' } | { kind: 'segment' } | { kind: 'any' };

/** The same reading of a glob as `globToRegExp`: `**` crosses "/" (followed by "/" or not), `*` and `?` do not. */
function globTokens(glob: string): GlobToken[] {
  const out: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      out.push({ kind: 'any' });
      i += glob[i + 2] === '/' ? 2 : 1; // `**/` matches nothing or anything ending in "/": `any` covers both
    } else if (c === '*') out.push({ kind: 'segment' });
    else if (c === '?') out.push({ kind: 'one' });
    else out.push({ kind: 'literal', char: c });
  }
  return out;
}

/** `*` and `**` may match nothing: a state on one also stands on the token after it. */
function closure(tokens: GlobToken[], states: Set<number>): Set<number> {
  const out = new Set(states);
  for (const s of [...out].sort((a, b) => a - b)) {
    for (let i = s; tokens[i]?.kind === 'segment' || tokens[i]?.kind === 'any'; i++) out.add(i + 1);
  }
  return out;
}
