/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line every 10% otherwise (CI logs),
 * so that stdout stays clean for the results.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  let lastDecile = -1;
  const started = performance.now();
  return {
    update(done) {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      if (tty) {
        const width = 30;
        const filled = Math.round(fraction * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          stream.write(`${label}: ${done}/${total}\n`);
        }
      }
    },
    finish() {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (tty) stream.write(`\r${label}: done in ${seconds} s${' '.repeat(30)}\n`);
    },
  };
}
