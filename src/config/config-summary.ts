/**
 * @module
 * The readable summary `wxtrack config check` prints: one block per carrier, secrets shown only
 * by where they come from, then the warnings. Pure: no I/O.
 */
import { DEFAULT_TRACE_OPTIONS } from '../carrier/carrier.js';
import type { FileConfig } from './config-file.js';

export function summarizeConfig(path: string, config: FileConfig): string {
  const n = config.carriers.length;
  let out = `${path}: OK, ${n} carrier${n === 1 ? '' : 's'}`;
  out +=
    n === 1
      ? ' (company_id optional)\n'
      : ' (company_id picks the carrier; without it, the one carrier whose pattern matches)\n';
  config.carriers.forEach((c, i) => {
    const sources = config.tokenSources[i] ?? [];
    const trace = c.trace ?? DEFAULT_TRACE_OPTIONS;
    const row = (label: string, value: string) => `  ${label.padEnd(14)}${value}\n`;
    out += `\n${c.id}  ${c.name}  [${c.environment ?? 'production'}]\n`;
    out += row(
      'tokens',
      `${sources.length}: current ${sources[0] ?? '-'}` +
        (sources.length > 1 ? `; also verifying ${sources.slice(1).join(', ')}` : ''),
    );
    out += row('waybill', c.waybillPattern);
    out += row('timezone', c.timezone);
    out += row('traces', `${trace.order}, ${trace.address}`);
    out += row('phone', c.phone ?? '-');
    // Pull mode: the preset and the upstream's host, never a credential or a full URL.
    if (c.upstream) {
      const r = c.upstream.request;
      let host = '?';
      try {
        host = new URL(r.url.replace(/\{\w+\}/g, 'x')).host;
      } catch {
        // shown as ?
      }
      out += row('source', `upstream ${r.preset} at ${host} (company ${r.company})`);
    } else out += row('source', 'store');
    const cells = c.cells ?? [];
    out += row(
      'cells',
      cells.length === 0 ? '-' : cells.map((cell) => `${cell.key} (${cell.name})`).join(', '),
    );
    // A carrier's own ingest settings; the rest follow the flags and variables (global values).
    const own = c.ingest;
    if (own !== undefined) {
      const parts = [
        own.eventCodes === undefined ? undefined : `${own.eventCodes.size} scan codes`,
        own.retentionDays === undefined ? undefined : `kept ${own.retentionDays} days`,
        own.bodyLimitBytes === undefined ? undefined : `pushes up to ${own.bodyLimitBytes} bytes`,
      ].filter((p) => p !== undefined);
      out += row('own ingest', `${parts.join(', ')} (over the global settings)`);
    }
    const whitelist = [...(c.testWaybills ?? [])];
    if (c.environment === 'test' || whitelist.length > 0) {
      out += row(
        'test waybills',
        whitelist.length === 0 ? '- (none: every query gets 40401)' : whitelist.join(', '),
      );
    }
  });
  if (config.warnings.length > 0) {
    out += `\nWarnings:\n${config.warnings.map((w) => `  - ${w}\n`).join('')}`;
  }
  return out;
}
