/**
 * Splits a line on spaces, keeping "double-quoted fields" (and [bracketed] ones when asked) whole.
 * Inside quotes a backslash escapes the next character (Apache writes \" and \\; ALB and Nginx
 * write \x22-style escapes, which stay as they are). An unterminated quote runs to the end of the line.
 */
export function tokenizeQuoted(line: string, options: { brackets?: boolean } = {}): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line[i] === ' ') i++;
    if (i >= n) break;
    const open = line[i];
    if (open === '"' || (options.brackets && open === '[')) {
      const close = open === '"' ? '"' : ']';
      let value = '';
      i++;
      while (i < n && line[i] !== close) {
        if (line[i] === '\\' && open === '"' && i + 1 < n && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        value += line[i];
        i++;
      }
      i++;
      tokens.push(value);
    } else {
      const end = line.indexOf(' ', i);
      tokens.push(line.slice(i, end === -1 ? n : end));
      i = end === -1 ? n : end;
    }
  }
  return tokens;
}

/** "10.0.0.1:443", "[2001:db8::1]:443", "2001:db8::1:443" (ALB) → address and port text. */
export function splitHostPort(text: string): { host: string; port: string | undefined } {
  if (text === '-' || text === '') return { host: '-', port: undefined };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] };
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: text, port: undefined };
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}
