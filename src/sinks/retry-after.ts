/**
 * A Retry-After answer in milliseconds: `retry-after-ms` / `x-ms-retry-after-ms` (Azure), or
 * `Retry-After` as seconds or an HTTP date; undefined when there is none.
 */
export function retryAfterMs(header: (name: string) => string | null | undefined): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(header(name));
    if (header(name) && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = header('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
