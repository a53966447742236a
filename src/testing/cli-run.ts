/**
 * @module
 * The `wxtrack` command line run in-process for tests: its exit code and everything it wrote to
 * standard output and standard error.
 */
import { main } from '../cli/main.js';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}
