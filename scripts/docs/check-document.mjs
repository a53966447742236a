// @ts-check
/**
 * @module check-document
 *
 * Runs every Markdown check on one document and returns the findings in line order. Kept apart
 * from the command so a test can run the whole check on a text without touching the disk.
 */
import { checkBilingual, checkJsonBlocks, checkLinks, scanMarkdown } from './markdown-check.mjs';

/**
 * @typedef {import('./markdown-check.mjs').LinkContext & { bilingual?: boolean }} DocumentContext
 * @param {string} text
 * @param {DocumentContext} context
 * @returns {import('./markdown-check.mjs').Finding[]}
 */
export function checkDocument(text, context) {
  const scan = scanMarkdown(text);
  const findings = [...scan.findings, ...checkJsonBlocks(scan), ...checkLinks(scan, context)];
  if (context.bilingual) findings.push(...checkBilingual(scan));
  return findings.sort((a, b) => a.line - b.line);
}
