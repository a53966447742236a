/**
 * @module
 * The real `wxtrack serve` as a child process, for end-to-end tests: its JSON log lines, a wait
 * for a given message, and its origin once it listens. Runs the built CLI (`npm test` builds dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export const BIN = new URL('../../bin/wxtrack.js', import.meta.url).pathname;

/** One pino line, as far as tests read it. */
export type LogLine = Record<string, unknown> & { msg?: string };

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Every line logged so far. */
  readonly lines: LogLine[];
  /** `http://host:port` from the "wxtrack listening" line. */
  readonly origin: string;
  /** Resolves with the first line (past or future) whose `msg` is `msg`. */
  logged(msg: string): Promise<LogLine>;
}

export async function spawnServe(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  /** How long it may take to listen: several processes start slower on a busy machine. */
  startWithinMs = 15_000,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const waiters: { msg: string; resolve: (l: LogLine) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as LogLine;
    lines.push(line);
    for (const w of waiters.splice(0)) {
      if (w.msg === line.msg) w.resolve(line);
      else waiters.push(w);
    }
  });
  const logged = (msg: string) =>
    new Promise<LogLine>((resolve) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) resolve(seen);
      else waiters.push({ msg, resolve });
    });
  const listening = await new Promise<LogLine>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left behind: a primary that outlives its test keeps forking workers.
      child.kill('SIGTERM');
      reject(new Error('serve did not start'));
    }, startWithinMs);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    void logged('wxtrack listening').then((l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  return { child, lines, origin: listening.origin as string, logged };
}
