import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleConfigFindings } from './example-config.mjs';
import { figureFindings, figuresOf } from './figures.mjs';

describe('figures with units', () => {
  it('reads numbers with their units the same way in both languages', () => {
    expect(figuresOf('HTTP push 47,000 events/s, peak RSS under 210 MiB, p99 0.19 ms')).toEqual([
      '47000events/s',
      '210MiB',
      '0.19ms',
    ]);
    expect(figuresOf('HTTP 推送 47,000 事件/秒，峰值 RSS 低于 210 MiB，p99 0.19 毫秒')).toEqual([
      '47000events/s',
      '210MiB',
      '0.19ms',
    ]);
    expect(figuresOf('16,000–20,000 req/s')).toEqual(['20000req/s', '16000req/s']);
    expect(figuresOf('10 秒、30,000 次/秒、约 3–5 分钟、40 %')).toEqual([
      '10s',
      '30000q/s',
      '5min',
      '3min',
      '40%',
    ]);
    // Not figures: a bare number, a version, a word that starts like a unit.
    expect(figuresOf('1,000,000 waybills, Node 20.19, 8 steps, 5 seconds')).toEqual(['5s']);
  });

  it('names a figure one language gives and its twin does not, part by part', () => {
    const doc = [
      '## Benchmarks',
      'The ceiling: 23,500 req/s.',
      '### Import',
      'NDJSON import 115,000',
      'events/s, under 210 MiB.',
      '## 性能测试',
      '上限：16,000 请求/秒。',
      '### 导入',
      'NDJSON 导入 115,000 事件/秒，低于 210 MiB。',
      '```',
      'not prose: 99 ms',
      '```',
    ].join('\n');
    const found = figureFindings(doc);
    expect(found).toEqual([
      {
        line: 2,
        message: '23500req/s is in "## Benchmarks" but not in its 中文 twin "## 性能测试" (line 6)',
      },
      {
        line: 7,
        message: '16000req/s is in "## 性能测试" but not in its English twin "## Benchmarks" (line 1)',
      },
    ]);
  });

  it('finds nothing to report in the project docs', () => {
    for (const file of ['README.md', 'docs/deployment.md', 'docs/privacy.md', 'docs/pull-mode.md']) {
      const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      expect(figureFindings(text), file).toEqual([]);
    }
  });
});

describe("the README's copy of the example configuration", () => {
  const example = JSON.stringify({
    carriers: [{ id: 'YTO', application: { jumpPath: 'pages/index/index' } }],
  });
  const readme = (json) =>
    ['`wxtrack.config.example.json` in this repository (a test loads it):', '', '```json', json, '```'].join(
      '\n',
    );

  it('is the file, whatever its formatting', () => {
    expect(exampleConfigFindings(readme(JSON.stringify(JSON.parse(example), null, 2)), example)).toEqual([]);
  });

  it('names what it lacks', () => {
    expect(exampleConfigFindings(readme('{ "carriers": [{ "id": "YTO" }] }'), example)).toEqual([
      {
        line: 3,
        message:
          'the example configuration differs from wxtrack.config.example.json at carriers[0].application: copy the file in whole',
      },
    ]);
  });

  it('is the file in the project README', () => {
    const root = new URL('../../', import.meta.url);
    expect(
      exampleConfigFindings(
        readFileSync(new URL('README.md', root), 'utf8'),
        readFileSync(new URL('wxtrack.config.example.json', root), 'utf8'),
      ),
    ).toEqual([]);
  });
});
