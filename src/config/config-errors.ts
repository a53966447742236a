/**
 * @module
 * Ajv's findings, rewritten for the operator who has to fix the file: each one names its path in
 * the form people read (`carriers[1].cells[0].key`) and says what is wrong in plain words
 * (`23 characters, at most 20`). Lengths are code points, as Ajv counts them.
 */
import type { ErrorObject } from 'ajv';
import { codePoints } from '../protocol/order-info.js';

/** `/carriers/1/cells/0/key` → `carriers[1].cells[0].key`. */
export function readablePath(pointer: string, extra?: string): string {
  const parts = pointer === '' ? [] : pointer.slice(1).split('/');
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(root)' : out;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
};

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

/** One Ajv error as `path: reason`, or `undefined` for errors that only echo another one. */
export function describeAjvError(e: ErrorObject): string | undefined {
  const p = e.params as Record<string, unknown>;
  const at = readablePath(e.instancePath);
  switch (e.keyword) {
    case 'if': // Always accompanied by the failing branch's own, more precise, errors.
      return undefined;
    case 'required':
      return `${readablePath(e.instancePath, String(p.missingProperty))}: required`;
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const guess = closest(name, known);
      return `${readablePath(e.instancePath, name)}: unknown setting${guess ? `; did you mean "${guess}"?` : ''}`;
    }
    case 'type':
      return `${at}: must be ${String(p.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ')}`;
    case 'maxLength':
      return `${at}: ${codePoints(String(e.data))} characters, at most ${String(p.limit)}`;
    case 'minLength':
      return p.limit === 1
        ? `${at}: must not be empty`
        : `${at}: ${codePoints(String(e.data))} characters, at least ${String(p.limit)}`;
    case 'pattern': {
      const hint = (e.parentSchema as Record<string, unknown> | undefined)?.['x-hint'];
      return `${at}: ${show(e.data)} ${typeof hint === 'string' ? hint : `must match ${String(p.pattern)}`}`;
    }
    case 'enum':
      return `${at}: ${show(e.data)} is not one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'minimum':
    case 'maximum': {
      const s = e.parentSchema as { minimum?: number; maximum?: number };
      return `${at}: ${show(e.data)} is not from ${s.minimum ?? '-∞'} to ${s.maximum ?? '∞'}`;
    }
    case 'minItems':
      return `${at}: ${(e.data as unknown[]).length} items, at least ${String(p.limit)}`;
    case 'maxItems':
      return `${at}: ${(e.data as unknown[]).length} items, at most ${String(p.limit)}`;
    case 'minProperties':
    case 'maxProperties':
      return `${at}: must have exactly one of ${Object.keys(
        (e.parentSchema as { properties?: object }).properties ?? {},
      ).join(', ')}`;
    case 'uniqueItems':
      return `${at}: items ${String(p.j)} and ${String(p.i)} are the same`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}

/** Edit distance between two short strings (Levenshtein). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The known name a misspelt one most likely meant (case slips, or up to two edits). */
function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = k.toLowerCase() === lower ? 0 : distance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Where in the text a JSON.parse error points, as `line L, column C`, if its message says. */
export function jsonErrorPosition(text: string, message: string): string | undefined {
  const m = /position (\d+)/.exec(message);
  if (!m) return undefined;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}
