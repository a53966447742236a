/**
 * The verifier as a courier's backend installs it: `import … from 'wxtrack/cell-link'`, resolved
 * through package.json `exports` to the built file, which must need nothing but Node itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('wxtrack/cell-link as a package export', () => {
  it('resolves to the built verifier, which imports only node:crypto', () => {
    const built = readFileSync(new URL('../../dist/cell-link/cell-link.js', import.meta.url), 'utf8');
    const imports = [...built.matchAll(/^\s*import\b[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports).toEqual(['node:crypto']);
    const script = `import('wxtrack/cell-link').then((m) => {
      const link = m.appendCellParams('pages/pay', { token: 'tk1', timestamp: '100', nonce: '7', orderid: 'A1', openid: 'oA' });
      process.stdout.write(JSON.stringify(m.verifyCellLink(link, { token: 'tk1', now: 100000 })));
    })`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ ok: true, orderid: 'A1', openid: 'oA', timestamp: 100 });
  });
});
