/**
 * Routes S3 keys to log types by glob: `**` matches across "/", `*` and `?` within one
 * path segment. The first matching route wins; a key no route matches is not ingested.
 */
export interface KeyRoute {
  match: string;
  logType: string;
}

export function compileRoutes(routes: KeyRoute[]): (key: string) => string | undefined {
  const compiled = routes.map((r) => ({ regex: globToRegExp(r.match), logType: r.logType }));
  return (key) => compiled.find((r) => r.regex.test(key))?.logType;
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
