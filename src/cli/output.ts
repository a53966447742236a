/**
 * @module
 * Where commands write. Injected so tests capture output without touching the process streams.
 */

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
