/** The tier choice of a pulled reply: what each reader costs, and failing closed. */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../reply/reply-source.js';
import { pulledTier, type BothTiers, type PulledTierOptions } from './pulled-tiers.js';
import { hashOpenid } from './openid-hash.js';

const KEY = 'pulled-tiers-key-0123456789';
const full: Reply = { json: Buffer.from('{"full":1}') };
const masked: Reply = { json: Buffer.from('{"masked":1}') };
const both: BothTiers = { full, masked };
const same: BothTiers = { full, masked: full };

function counted(owners: readonly string[] | Error, sync = true) {
  const n = { lookups: 0, hashes: 0, errors: 0 };
  const options: PulledTierOptions = {
    ownerKey: KEY,
    masks: () => true,
    owners: {
      ownersOf: () => {
        n.lookups++;
        if (owners instanceof Error)
          return sync
            ? (() => {
                throw owners;
              })()
            : Promise.reject(owners);
        return sync ? owners : Promise.resolve(owners);
      },
    },
    hash: (k, c, o) => {
      n.hashes++;
      return hashOpenid(k, c, o);
    },
    onOwnersError: () => void n.errors++,
  };
  return { n, options };
}

describe('pulledTier', () => {
  const ownerHash = hashOpenid(KEY, 'YTO', 'oOwner');

  it('a reply masking left unchanged costs no owner lookup at all', () => {
    const { n, options } = counted([ownerHash]);
    expect(pulledTier(same, 'YTO', 'W', 'oOwner', options)).toBe(full);
    expect(n).toEqual({ lookups: 0, hashes: 0, errors: 0 });
  });

  it('a waybill nobody owns: one lookup, no hash, the masked reply, synchronously', () => {
    const { n, options } = counted([]);
    expect(pulledTier(both, 'YTO', 'W', 'oStranger', options)).toBe(masked);
    expect(n).toEqual({ lookups: 1, hashes: 0, errors: 0 });
  });

  it('an owner: one lookup and one hash, then the full reply of the same entry', async () => {
    const { n, options } = counted([ownerHash], false);
    expect(await pulledTier(Promise.resolve(both), 'YTO', 'W', 'oOwner', options)).toBe(full);
    expect(await pulledTier(both, 'YTO', 'W', 'oOther', options)).toBe(masked);
    expect(n).toEqual({ lookups: 2, hashes: 2, errors: 0 });
    // The hash is per carrier: the same openid owns nothing at another carrier.
    expect(await pulledTier(both, 'ZTO', 'W', 'oOwner', options)).toBe(masked);
  });

  it('fails closed: no key, no lookup, or a failed lookup serve the masked reply', async () => {
    const { options } = counted([ownerHash]);
    expect(pulledTier(both, 'YTO', 'W', 'oOwner', { ...options, ownerKey: undefined })).toBe(masked);
    expect(pulledTier(both, 'YTO', 'W', 'oOwner', { ...options, owners: undefined })).toBe(masked);
    const thrown = counted(new Error('store down'));
    expect(pulledTier(both, 'YTO', 'W', 'oOwner', thrown.options)).toBe(masked);
    const rejected = counted(new Error('store down'), false);
    expect(await pulledTier(both, 'YTO', 'W', 'oOwner', rejected.options)).toBe(masked);
    expect(thrown.n.errors + rejected.n.errors).toBe(2);
  });

  it('a carrier with masking off serves the full reply; an unknown waybill is undefined', async () => {
    const { n, options } = counted([]);
    expect(pulledTier(both, 'YTO', 'W', 'oStranger', { ...options, masks: () => false })).toBe(full);
    expect(await pulledTier(Promise.resolve(undefined), 'YTO', 'W', 'o', options)).toBeUndefined();
    expect(n.lookups).toBe(0);
  });
});
