import type { Framing } from './config.js';

/**
 * Routes S3 keys to log types by glob: `**` matches across "/", `*` and `?` within one
 * path segment. The first matching route wins; a key no route matches, or one an `ignore` glob
 * matches (checked first), is not ingested.
 */
export interface KeyRoute {
  match: string;
  logType: string;
  framing?: Framing;
}

export type KeyRouter = (key: string) => { logType: string; framing: Framing } | undefined;

export function compileRouter(routes: KeyRoute[], ignore: readonly string[] = []): KeyRouter {
  const compiled = routes.map((r) => ({ regex: globToRegExp(r.match), logType: r.logType, framing: r.framing ?? ('lines' as const) }));
  const ignored = ignore.map(globToRegExp);
  return (key) => {
    if (ignored.some((regex) => regex.test(key))) return undefined;
    const route = compiled.find((r) => r.regex.test(key));
    return route ? { logType: route.logType, framing: route.framing } : undefined;
  };
}

export function compileRoutes(routes: KeyRoute[]): (key: string) => string | undefined {
  const router = compileRouter(routes);
  return (key) => router(key)?.logType;
}

export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}
