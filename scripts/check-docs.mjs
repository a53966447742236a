// @ts-check
/**
 * @module check-docs
 *
 * `npm run lint` runs this on the project's Markdown: fences balance, every ```json block parses,
 * every local link and #anchor resolves, and every relative link also works from the npm package
 * (see scripts/docs/markdown-check.mjs for the rules and why), and every JSONP error code of
 * src/protocol/errors.ts has a row in the README's English and 中文 tables
 * (scripts/docs/error-codes.mjs); every figure with a unit (`10 MiB`, `47,000 events/s`) of an
 * English section is in its 中文 twin and back (scripts/docs/figures.mjs); and the README's copy of
 * the example configuration is wxtrack.config.example.json (scripts/docs/example-config.mjs).
 * Prints `file:line: problem` for each finding and exits 1 if there is any.
 *
 * Usage: node scripts/check-docs.mjs [FILE.md ...]   (default: README.md, bench/README.md, docs/*.md)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkDocument } from './docs/check-document.mjs';
import { errorCodeFindings, jsonpErrorCodes } from './docs/error-codes.mjs';
import { exampleConfigFindings } from './docs/example-config.mjs';
import { figureFindings } from './docs/figures.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = existsSync(root + 'docs')
  ? readdirSync(root + 'docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`)
  : [];
const files =
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['README.md', 'bench/README.md', ...docs];

/** @param {string} path */
const read = (path) => (existsSync(root + path) ? readFileSync(root + path, 'utf8') : null);
const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8'));
/** @type {string[]} */
const packaged = Array.isArray(pkg.files) ? pkg.files : [];
const repositoryUrl = String(pkg.repository?.url ?? pkg.repository ?? 'https://github.com/wxtrack/wxtrack')
  .replace(/^git\+/, '')
  .replace(/\.git$/, '');

/** npm always packs package.json, README and LICENSE; the rest only when `files` lists it. */
/** @param {string} path */
const shipped = (path) =>
  /^(package\.json|readme(\.[^/]*)?|license(\.[^/]*)?|licence(\.[^/]*)?)$/i.test(path) ||
  packaged.some((entry) => {
    const clean = entry.replace(/^\.\//, '').replace(/\/$/, '');
    return path === clean || path.startsWith(clean + '/');
  });

let problems = 0;
for (const file of files) {
  const text = read(file);
  if (text === null) {
    process.stderr.write(`${file}: no such file\n`);
    problems++;
    continue;
  }
  const findings = checkDocument(text, {
    file,
    exists: (path) => existsSync(root + path),
    read,
    shipped,
    repositoryUrl,
    bilingual: file === 'README.md',
  });
  findings.push(...figureFindings(text));
  if (file === 'README.md') {
    const catalog = read('src/protocol/errors.ts');
    if (catalog !== null) findings.push(...errorCodeFindings(text, jsonpErrorCodes(catalog)));
    const example = read('wxtrack.config.example.json');
    if (example !== null) findings.push(...exampleConfigFindings(text, example));
  }
  for (const f of findings) process.stderr.write(`${file}:${f.line}: ${f.message}\n`);
  problems += findings.length;
}
if (problems > 0) {
  process.stderr.write(
    `check-docs: ${problems} problem${problems === 1 ? '' : 's'} in ${files.join(', ')}\n`,
  );
  process.exit(1);
}
process.stdout.write(`check-docs: ${files.join(', ')} OK\n`);
