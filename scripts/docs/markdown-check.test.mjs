// @ts-check
/**
 * @module markdown-check.test
 *
 * The Markdown check finds the faults that once broke the README (an unclosed ```json block, a
 * stray fence, links that resolve only in a git checkout) and stays quiet on correct Markdown.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDocument } from './check-document.mjs';
import { githubSlug } from './markdown-check.mjs';

const files = new Map([
  ['README.md', ''],
  ['bench/README.md', '# Bench\n\n## How to read the figures\n'],
  ['src/protocol/errors.ts', ''],
  ['schema/wxtrack.config.schema.json', '{}'],
]);
const context = {
  file: 'README.md',
  exists: (/** @type {string} */ p) => files.has(p) || [...files.keys()].some((f) => f.startsWith(p + '/')),
  read: (/** @type {string} */ p) => files.get(p) ?? null,
  shipped: (/** @type {string} */ p) => p === 'README.md' || p.startsWith('schema/'),
  repositoryUrl: 'https://github.com/wxtrack/wxtrack',
};
const check = (/** @type {string} */ text) => checkDocument(text, context);

describe('fences', () => {
  it('accepts balanced blocks, including a longer fence that nests a shorter one', () => {
    const text = [
      '# T',
      '',
      '```sh',
      '# a comment',
      'ls',
      '```',
      '',
      '````md',
      '```json',
      '{}',
      '```',
      '````',
      '',
    ].join('\n');
    expect(check(text)).toEqual([]);
  });

  it('reports a block that is never closed, at the line that opens it', () => {
    expect(check('# T\n\nprose\n\n```sh\nls\n')).toEqual([
      { line: 5, message: expect.stringContaining('```sh block opened here is never closed') },
    ]);
  });

  it('reports a fence with an info string inside an open block of the same fence', () => {
    const findings = check('```\nout\n\n```sh\nls\n```\n');
    expect(findings[0]).toEqual({
      line: 4,
      message: expect.stringContaining('opens a code block inside the ``` block opened at line 1'),
    });
  });

  it('reports headings swallowed by a block, naming the block', () => {
    const findings = check('```text\nx\n```\n\n```\noutput\n### Routing\n```\n');
    expect(findings).toEqual([
      {
        line: 7,
        message:
          'heading "### Routing" is inside the ``` block opened at line 5: is its closing ``` missing?',
      },
    ]);
  });

  it('reports a closing fence longer than its opening', () => {
    expect(check('```sh\nls\n````\n')).toEqual([
      {
        line: 3,
        message: expect.stringContaining('closing fence ```` is longer than its opening ``` at line 1'),
      },
    ]);
  });

  it('finds every fault of the README as it was broken by the merge', () => {
    const broken = readFileSync(new URL('./fixtures/broken-readme.md', import.meta.url), 'utf8');
    expect(check(broken)).toEqual([
      {
        line: 9,
        message: expect.stringContaining(
          '"### Routing and isolation" is inside the ```json block opened at line 3',
        ),
      },
      { line: 9, message: expect.stringContaining('the ```json block opened at line 3 does not parse') },
      {
        line: 11,
        message: expect.stringContaining('"### Token rotation" is inside the ```json block opened at line 3'),
      },
      {
        line: 21,
        message: expect.stringContaining('"### Waybill patterns" is inside the ```` block opened at line 19'),
      },
    ]);
  });
});

describe('json blocks', () => {
  it('accepts JSON and reports a block that does not parse, at its line', () => {
    expect(check('```json\n{ "a": 1 }\n```\n')).toEqual([]);
    expect(check('```json\n{\n  "a": 1\n  "b": 2\n}\n```\n')).toEqual([
      { line: 4, message: expect.stringContaining('the ```json block opened at line 1 does not parse') },
    ]);
  });

  it('leaves ```jsonc examples alone', () => {
    expect(check('```jsonc\n{ "a": 1, // note\n}\n```\n')).toEqual([]);
  });
});

describe('links', () => {
  it('resolves anchors with GitHub ids, Chinese headings included', () => {
    expect(githubSlug('Bulk import: `wxtrack import FILE`')).toBe('bulk-import-wxtrack-import-file');
    expect(githubSlug('快递公司与配置文件')).toBe('快递公司与配置文件');
    expect(githubSlug('Push API: `POST /v1/events`')).toBe('push-api-post-v1events');
    const text =
      '# A\n\n## Quick start\n\n## 快速开始\n\n## Quick start\n\n[a](#quick-start) [b](#快速开始) [c](#quick-start-1)\n';
    expect(check(text)).toEqual([]);
  });

  it('reports an anchor that names no heading, with the nearest one', () => {
    expect(check('## Token rotation\n\nsee [it](#token-rotaton)\n')).toEqual([
      {
        line: 3,
        message: 'link #token-rotaton names no heading in README.md; did you mean #token-rotation?',
      },
    ]);
  });

  it('reports a relative link to a missing file, or to a file the package does not ship', () => {
    expect(check('[x](docs/missing.md)\n')).toEqual([
      { line: 1, message: 'link docs/missing.md names docs/missing.md, which does not exist' },
    ]);
    expect(check('[x](src/protocol/errors.ts)\n')[0]?.message).toContain(
      'link to https://github.com/wxtrack/wxtrack/blob/main/src/protocol/errors.ts instead',
    );
    expect(check('[x](./schema/wxtrack.config.schema.json)\n')).toEqual([]);
  });

  it('checks absolute links into the repository against its files, and anchors in other Markdown', () => {
    const base = 'https://github.com/wxtrack/wxtrack/blob/main/';
    expect(
      check(`[x](${base}src/protocol/errors.ts) [y](${base}bench/README.md#how-to-read-the-figures)\n`),
    ).toEqual([]);
    expect(check(`[x](${base}src/protocol/gone.ts)\n`)).toEqual([
      {
        line: 1,
        message: `link ${base}src/protocol/gone.ts names src/protocol/gone.ts, which does not exist in the repository`,
      },
    ]);
    expect(check('[y](bench/README.md#nope)\n').map((f) => f.message)).toContain(
      'link bench/README.md#nope names no heading in bench/README.md',
    );
  });

  it('ignores links inside code blocks and inline code', () => {
    expect(check('`[x](nowhere.md)`\n\n```md\n[x](nowhere.md)\n```\n')).toEqual([]);
  });
});

describe('English and 中文 parity', () => {
  const bilingual = (/** @type {string} */ text) => checkDocument(text, { ...context, bilingual: true });

  it('accepts paired sections with the same subsections and tables, and embedded 中文说明', () => {
    const text = [
      '# T',
      '',
      '## Running',
      '',
      '### Flags',
      '',
      '| a | b |',
      '| - | - |',
      '| 1 | 2 |',
      '',
      '## 运行',
      '',
      '### 参数',
      '',
      '| a | b |',
      '| --- | --- |',
      '| 1 | 2 |',
      '',
      '## Carriers',
      '',
      '### Routing',
      '',
      '### 中文说明',
      '',
      '路由。',
      '',
      '## Licence',
      '',
      '<!-- english only -->',
      '',
      'MIT',
      '',
    ].join('\n');
    expect(bilingual(text)).toEqual([]);
  });

  it('reports an English section without 中文, naming it', () => {
    expect(bilingual('## Operations\n\ntext\n')).toEqual([
      {
        line: 1,
        message: expect.stringContaining(
          'the English section "## Operations" (line 1) has no 中文 counterpart',
        ),
      },
    ]);
  });

  it('reports a 中文 section with fewer subsections or tables than its English one', () => {
    const text = '## Running\n\n### Flags\n\n### Events\n\n| a |\n| --- |\n\n## 运行\n\n### 参数\n';
    expect(bilingual(text)).toEqual([
      {
        line: 10,
        message: expect.stringContaining(
          '"## 运行" has 1 "###" subsections (参数) but its English section "## Running" (line 1) has 2 (Flags / Events)',
        ),
      },
      {
        line: 10,
        message: expect.stringContaining(
          '"## 运行" has 0 tables but its English section "## Running" (line 1) has 1',
        ),
      },
    ]);
  });

  it('reports a 中文 section that follows no English one, and the term it does not use', () => {
    expect(bilingual('## 部署\n\n把令牌放进环境变量。\n')).toEqual([
      {
        line: 1,
        message: expect.stringContaining('the 中文 section "## 部署" (line 1) follows no English section'),
      },
      { line: 3, message: '"令牌": the 中文 docs say "token" for this term; use it here too' },
    ]);
  });
});
