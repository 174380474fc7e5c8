/**
 * HEC's event endpoint takes JSON objects one after another ("stacked"), separated by nothing or
 * by whitespace. Splits the text into those objects; throws on anything that is not one.
 */
export function parseStackedEvents(text: string): unknown[] {
  const events: unknown[] = [];
  let start = -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) events.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error(`unexpected "}" at ${i}`);
    } else if (depth === 0 && !/\s/.test(c as string)) throw new Error(`unexpected "${c}" at ${i}`);
  }
  if (depth !== 0 || inString) throw new Error('truncated event');
  return events;
}
