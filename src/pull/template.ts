/**
 * @module
 * Request parameters from templates: `{waybill}`, `{company}` (the upstream's code for the
 * carrier) and `{carrier}` (wxtrack's carrier id, WeChat's company_id). Every other brace is
 * kept as written. Values are substituted as text; the caller encodes them for where they go
 * (URL, form, JSON), so a waybill can never change the request's structure.
 */

export interface TemplateValues {
  readonly waybill: string;
  readonly company: string;
  readonly carrier: string;
}

const PLACEHOLDER = /\{(waybill|company|carrier)\}/g;

export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, name: keyof TemplateValues) => values[name]);
}

/** Fills every string inside a JSON value (keys are kept). */
export function fillJson(value: unknown, values: TemplateValues): unknown {
  if (typeof value === 'string') return fillTemplate(value, values);
  if (Array.isArray(value)) return value.map((v) => fillJson(v, values));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillJson(v, values);
    return out;
  }
  return value;
}
