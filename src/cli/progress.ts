/** Progress for long commands: a live line on a terminal, plain lines otherwise (CI logs). */
export interface Progress {
  note(message: string): void;
  update(counters: Record<string, number>): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const tty = stream.isTTY === true;
  let lastPlain = 0;
  let live = false;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  return {
    note(message) {
      if (live) stream.write('\n');
      live = false;
      stream.write(`[${elapsed()}] ${message}\n`);
    },
    update(counters) {
      const line = `[${elapsed()}] ${Object.entries(counters)
        .map(([k, v]) => `${k}=${v}`)
        .join('  ')}`;
      if (tty) {
        stream.write(`\r\x1b[2K${line}`);
        live = true;
      } else if (Date.now() - lastPlain >= 5_000) {
        stream.write(`${line}\n`);
        lastPlain = Date.now();
      }
    },
    done() {
      if (live) stream.write('\n');
      live = false;
    },
  };
}
