// @ts-check
/**
 * @module markdown-check
 *
 * The checks `npm run lint` runs on the project's Markdown, as pure functions of a file's text.
 *
 * Why: a merge once left a ```json block unclosed in the README, and everything after it
 * (routing, token rotation, test mode, the 中文说明) rendered as grey code without any tool
 * noticing. Fenced code blocks follow CommonMark 0.31 §4.5: a fence is 3+ backticks or tildes; it
 * is closed by a fence of the same character at least as long, with nothing but spaces after it.
 * A fence with an info string (```sh) can never close a block, so one found inside a block means
 * the block above it was not closed. Anchors follow GitHub's heading ids (lower-case, punctuation
 * dropped, spaces to hyphens, repeats numbered -1, -2…).
 *
 * Every finding is `{ line, message }` with the 1-based line it is about; the message names the
 * problem and the fix.
 */

/** @typedef {{ line: number, message: string }} Finding */
/** @typedef {{ line: number, level: number, text: string, slug: string }} Heading */

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
/** Languages whose comments start with `#`, so a `## …` line inside is no sign of a lost fence. */
const HASH_COMMENT_LANGS = new Set([
  'sh',
  'bash',
  'shell',
  'zsh',
  'console',
  'python',
  'py',
  'yaml',
  'yml',
  'toml',
  'ini',
  'conf',
  'dockerfile',
  'make',
  'makefile',
  'md',
  'markdown',
  'text',
  'txt',
]);

/**
 * @typedef {{ line: number, endLine: number, fence: string, info: string, lang: string, body: string[] }} CodeBlock
 * @typedef {{ blocks: CodeBlock[], headings: Heading[], proseLines: Array<{ line: number, text: string }>, findings: Finding[] }} Scan
 */

/**
 * Splits a Markdown text into fenced code blocks, headings and the remaining prose lines, and
 * reports fence problems on the way.
 * @param {string} text
 * @returns {Scan}
 */
export function scanMarkdown(text) {
  const lines = text.split(/\r?\n/);
  /** @type {Finding[]} */
  const findings = [];
  /** @type {CodeBlock[]} */
  const blocks = [];
  /** @type {Heading[]} */
  const headings = [];
  /** @type {Array<{ line: number, text: string }>} */
  const proseLines = [];
  /** @type {CodeBlock | null} */
  let open = null;
  /** @type {Map<string, number>} */
  const slugCounts = new Map();

  lines.forEach((raw, index) => {
    const line = index + 1;
    const fence = FENCE.exec(raw);
    if (open) {
      if (fence && fence[1] && fence[1][0] === open.fence[0] && fence[1].length >= open.fence.length) {
        const rest = (fence[2] ?? '').trim();
        if (rest === '') {
          if (fence[1].length > open.fence.length) {
            findings.push({
              line,
              message: `closing fence ${fence[1]} is longer than its opening ${open.fence} at line ${open.line}: make them the same length`,
            });
          }
          open.endLine = line;
          blocks.push(open);
          open = null;
          return;
        }
        findings.push({
          line,
          message: `"${raw.trim()}" opens a code block inside the ${describe(open)} block opened at line ${open.line}, which is still open: add its closing ${open.fence} before line ${line}`,
        });
      } else if (!HASH_COMMENT_LANGS.has(open.lang)) {
        const heading = /^ {0,3}(#{2,6})[ \t]+\S/.exec(raw);
        if (heading) {
          findings.push({
            line,
            message: `heading "${raw.trim()}" is inside the ${describe(open)} block opened at line ${open.line}: is its closing ${open.fence} missing?`,
          });
        }
      }
      open.body.push(raw);
      return;
    }
    if (fence && fence[1]) {
      const info = (fence[2] ?? '').trim();
      if (fence[1][0] === '`' && info.includes('`')) {
        proseLines.push({ line, text: raw });
        return;
      }
      open = {
        line,
        endLine: -1,
        fence: fence[1],
        info,
        lang: info.split(/\s+/)[0]?.toLowerCase() ?? '',
        body: [],
      };
      return;
    }
    const heading = ATX_HEADING.exec(raw);
    if (heading && heading[1]) {
      const headingText = heading[2] ?? '';
      const base = githubSlug(headingText);
      const seen = slugCounts.get(base) ?? 0;
      slugCounts.set(base, seen + 1);
      headings.push({
        line,
        level: heading[1].length,
        text: headingText,
        slug: seen === 0 ? base : `${base}-${seen}`,
      });
    }
    proseLines.push({ line, text: raw });
  });

  if (open) {
    const o = /** @type {CodeBlock} */ (open);
    findings.push({
      line: o.line,
      message: `the ${describe(o)} block opened here is never closed: the rest of the file renders as code; add a closing ${o.fence}`,
    });
  }
  return { blocks, headings, proseLines, findings };
}

/** @param {CodeBlock} block */
function describe(block) {
  return `${block.fence}${block.info}`;
}

/**
 * GitHub's id for a heading: the rendered text, lower-cased, with punctuation and symbols removed
 * (letters of every script, digits, `-` and `_` stay) and each space turned into a hyphen.
 * @param {string} heading
 */
export function githubSlug(heading) {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return rendered
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/**
 * Every ```json block must parse (use ```jsonc for an example with comments or elisions).
 * @param {Scan} scan
 * @returns {Finding[]}
 */
export function checkJsonBlocks(scan) {
  /** @type {Finding[]} */
  const findings = [];
  for (const block of scan.blocks) {
    if (block.lang !== 'json') continue;
    const source = block.body.join('\n');
    try {
      JSON.parse(source);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const at = /position (\d+)/.exec(reason);
      const offset = at && at[1] ? Number(at[1]) : -1;
      const bodyLine = offset >= 0 ? source.slice(0, offset).split('\n').length : 0;
      findings.push({
        line: bodyLine > 0 ? block.line + bodyLine : block.line,
        message: `the \`\`\`json block opened at line ${block.line} does not parse (${reason}); fix it, or mark it \`\`\`jsonc if it is not meant to be complete JSON`,
      });
    }
  }
  return findings;
}

/**
 * The links of the prose (not of code blocks or inline code): inline `[text](target)`, images and
 * reference definitions `[label]: target`.
 * @param {Scan} scan
 * @returns {Array<{ line: number, target: string }>}
 */
export function extractLinks(scan) {
  /** @type {Array<{ line: number, target: string }>} */
  const links = [];
  for (const { line, text } of scan.proseLines) {
    const prose = text.replace(/(`+)[^`]*?\1/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (match[1]) links.push({ line, target: match[1] });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition && definition[1]) links.push({ line, target: definition[1] });
  }
  return links;
}

/**
 * @typedef {object} LinkContext
 * @property {string} file the Markdown file's path, relative to the repository root
 * @property {(path: string) => boolean} exists whether a repository path exists
 * @property {(path: string) => string | null} read a repository file's text, for anchors in other Markdown files
 * @property {(path: string) => boolean} shipped whether the npm package contains the path
 * @property {string} repositoryUrl e.g. https://github.com/wxtrack/wxtrack
 */

/**
 * Every local link resolves, every `#anchor` names a heading, and every relative link also works
 * from the npm package (the file is shipped); links into the repository by absolute URL must name
 * a file that exists.
 * @param {Scan} scan
 * @param {LinkContext} context
 * @returns {Finding[]}
 */
export function checkLinks(scan, context) {
  /** @type {Finding[]} */
  const findings = [];
  const ownSlugs = new Set(scan.headings.map((h) => h.slug));
  const dir = context.file.includes('/') ? context.file.slice(0, context.file.lastIndexOf('/') + 1) : '';
  const repoPrefix = new RegExp(`^${escapeRegExp(context.repositoryUrl)}/(?:blob|tree)/[^/]+/(.+)$`);
  for (const { line, target } of extractLinks(scan)) {
    if (target.startsWith('#')) {
      const anchor = decodeURIComponent(target.slice(1));
      if (!ownSlugs.has(anchor)) {
        findings.push({
          line,
          message: `link ${target} names no heading in ${context.file}${nearest(anchor, ownSlugs)}`,
        });
      }
      continue;
    }
    const inRepo = repoPrefix.exec(target.split('#')[0] ?? '');
    if (inRepo && inRepo[1]) {
      const path = decodeURIComponent(inRepo[1]).replace(/\/$/, '');
      if (!context.exists(path)) {
        findings.push({
          line,
          message: `link ${target} names ${path}, which does not exist in the repository`,
        });
      }
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [pathPart = '', anchorPart] = target.split('#');
    const path = normalise(dir + decodeURIComponent(pathPart));
    if (path === null || !context.exists(path)) {
      findings.push({ line, message: `link ${target} names ${path ?? pathPart}, which does not exist` });
      continue;
    }
    if (!context.shipped(path)) {
      findings.push({
        line,
        message: `link ${target} points at ${path}, which the npm package does not ship, so it breaks on npmjs.com and in node_modules: link to ${context.repositoryUrl}/blob/main/${path} instead`,
      });
    }
    if (anchorPart && path.endsWith('.md')) {
      const other = context.read(path);
      if (other !== null) {
        const slugs = new Set(scanMarkdown(other).headings.map((h) => h.slug));
        const anchor = decodeURIComponent(anchorPart);
        if (!slugs.has(anchor)) {
          findings.push({
            line,
            message: `link ${target} names no heading in ${path}${nearest(anchor, slugs)}`,
          });
        }
      }
    }
  }
  return findings;
}

/** @param {string} s */
function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Resolves `.` and `..` in a repository-relative path; null when it leaves the repository.
 * @param {string} path
 */
function normalise(path) {
  /** @type {string[]} */
  const parts = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/**
 * A "; did you mean #x?" hint from the known anchors, when one is close.
 * @param {string} anchor
 * @param {Set<string>} slugs
 */
function nearest(anchor, slugs) {
  let best = '';
  let bestDistance = Infinity;
  for (const slug of slugs) {
    const d = editDistance(anchor, slug);
    if (d < bestDistance) {
      best = slug;
      bestDistance = d;
    }
  }
  return best && bestDistance <= Math.max(3, anchor.length / 3) ? `; did you mean #${best}?` : '';
}

/**
 * Levenshtein distance, for hints.
 * @param {string} a
 * @param {string} b
 */
export function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

const CJK = /[\u3400-\u9fff]/;
/** Words the 中文 docs do not use, with the one they use instead. */
const TERMS = new Map([['令牌', 'token']]);
/** A section holding this line needs no 中文 counterpart (e.g. a licence notice). */
export const ENGLISH_ONLY_MARK = '<!-- english only -->';

/**
 * @typedef {{ heading: Heading, h3: Heading[], tables: number, englishOnly: boolean }} Section
 * @param {Scan} scan
 * @returns {Section[]}
 */
function sections(scan) {
  /** @type {Section[]} */
  const result = [];
  /** @type {Section | null} */
  let current = null;
  const headingLines = new Map(scan.headings.map((h) => [h.line, h]));
  for (const { line, text } of scan.proseLines) {
    const heading = headingLines.get(line);
    if (heading && heading.level <= 2) {
      current = heading.level === 2 ? { heading, h3: [], tables: 0, englishOnly: false } : null;
      if (current) result.push(current);
      continue;
    }
    if (!current) continue;
    if (heading && heading.level === 3) current.h3.push(heading);
    else if (/^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(text) && text.includes('|')) current.tables++;
    else if (text.trim() === ENGLISH_ONLY_MARK) current.englishOnly = true;
  }
  return result;
}

/**
 * English and 中文 stay in step: every English `##` section is followed by its 中文 `##` section
 * with as many `###` subsections and tables, or holds a `### 中文说明`-style subsection of its own;
 * every 中文 `##` section follows an English one; and the 中文 text keeps to one word per term.
 * @param {Scan} scan
 * @returns {Finding[]}
 */
export function checkBilingual(scan) {
  /** @type {Finding[]} */
  const findings = [];
  const all = sections(scan);
  all.forEach((section, i) => {
    const title = `"## ${section.heading.text}" (line ${section.heading.line})`;
    const isChinese = CJK.test(section.heading.text);
    const previous = all[i - 1];
    if (isChinese) {
      if (!previous || CJK.test(previous.heading.text)) {
        findings.push({
          line: section.heading.line,
          message: `the 中文 section ${title} follows no English section: put it right after the English "##" section it translates`,
        });
      }
      return;
    }
    if (section.englishOnly) return;
    const next = all[i + 1];
    if (next && CJK.test(next.heading.text)) {
      const zh = `"## ${next.heading.text}"`;
      if (next.h3.length !== section.h3.length) {
        findings.push({
          line: next.heading.line,
          message: `${zh} has ${next.h3.length} "###" subsections (${list(next.h3)}) but its English section ${title} has ${section.h3.length} (${list(section.h3)}): give each English subsection its 中文 one, in the same order`,
        });
      }
      if (next.tables !== section.tables) {
        findings.push({
          line: next.heading.line,
          message: `${zh} has ${next.tables} tables but its English section ${title} has ${section.tables}: translate every table`,
        });
      }
      return;
    }
    if (section.h3.some((h) => CJK.test(h.text))) return;
    findings.push({
      line: section.heading.line,
      message: `the English section ${title} has no 中文 counterpart: follow it with a 中文 "##" section (same "###" subsections and tables), add a "### 中文说明" subsection, or mark it ${ENGLISH_ONLY_MARK}`,
    });
  });
  for (const { line, text } of scan.proseLines) {
    const prose = text.replace(/(`+)[^`]*?\1/g, '');
    for (const [word, instead] of TERMS) {
      if (prose.includes(word)) {
        findings.push({
          line,
          message: `"${word}": the 中文 docs say "${instead}" for this term; use it here too`,
        });
      }
    }
  }
  return findings;
}

/** @param {Heading[]} headings */
function list(headings) {
  return headings.length === 0 ? 'none' : headings.map((h) => h.text).join(' / ');
}
