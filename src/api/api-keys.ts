/**
 * @module
 * Ingest API keys. A key reads `wxt_<id>_<secret>`: the id finds the stored record, and the hash
 * of the whole key is compared in constant time, so neither the lookup nor the comparison leaks
 * how much of a guessed secret was right. Only the hash is stored; the key is shown once.
 *
 * The WeChat token is never an ingest credential: only keys made here authenticate.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyStore } from '../store/roles.js';
import type { ApiKeyRecord } from '../store/store.js';

const KEY_RE = /^wxt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const isValidKeyName = (name: string): boolean => NAME_RE.test(name);

/** SHA-256 of the whole key, base64url. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('base64url');

/** A new key and the record to store for it. */
export function generateApiKey(
  name: string,
  carrier: string,
  now: number,
): { key: string; record: ApiKeyRecord } {
  const id = randomBytes(8).toString('hex');
  const key = `wxt_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, record: { id, name, carrier, hash: hashApiKey(key), createdAt: now, revokedAt: undefined } };
}

/** Compared against when no record exists, so an unknown id costs what a wrong secret does. */
const DUMMY_HASH = hashApiKey('wxt_0000000000000000_' + 'A'.repeat(43));

/** The key's record when `authorization` carries a valid, unrevoked key; otherwise `undefined`. */
export async function authenticate(
  store: Pick<ApiKeyStore, 'findApiKey'>,
  authorization: string | undefined,
): Promise<ApiKeyRecord | undefined> {
  const m = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  const key = m?.[1];
  const parsed = key === undefined ? null : KEY_RE.exec(key);
  const record = parsed ? await store.findApiKey(parsed[1]!) : undefined;
  const presented = Buffer.from(hashApiKey(key ?? ''));
  const expected = Buffer.from(record?.hash ?? DUMMY_HASH);
  const same = presented.length === expected.length && timingSafeEqual(presented, expected);
  if (!record || !same || record.revokedAt !== undefined) return undefined;
  return record;
}
