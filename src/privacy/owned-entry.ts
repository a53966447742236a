/**
 * @module
 * A reply view entry that carries the waybill's owners beside the stranger's reply (privacy
 * tiers), so that the one lookup a query makes also says whether its reader may be an owner.
 *
 * A stored reply (view/deflated-reply.ts) starts with three uint32 LE: its own CRC-32, the JSON's
 * CRC-32 and the JSON's length; a reply is far below 16 MiB, so the length's high byte, byte 11,
 * is always 0. An entry with owners is marked by 0xFF in that byte:
 *
 *     [owner count: u8][10 zero bytes][0xFF][count × 16-byte hash][stored reply]
 *
 * The stored reply keeps its own check; the owners' hashes are outside it. A damaged hash can
 * only make an owner a stranger (the masked reply), never show a stranger the full one, short of
 * a flip that yields another reader's exact 128-bit hash.
 *
 * An entry without owners, nearly every one, is the stored reply as it was, byte for byte: a
 * stranger's query on a waybill nobody owns reads and sends exactly what it did before. Pure.
 */
import { isOpenidHash, OPENID_HASH_CHARS } from './openid-hash.js';

const MARK_AT = 11;
const MARK = 0xff;
const HEAD = 12;
const HASH_BYTES = OPENID_HASH_CHARS / 2;
/** Owners one entry holds; more is no use to anyone and would bloat the entry. */
export const MAX_OWNERS_IN_ENTRY = 255;

export interface OwnedEntry {
  /** The stored (deflated) reply, as view/deflated-reply.ts writes it. */
  readonly stored: Buffer;
  /** The owners' openid hashes (privacy/openid-hash.ts). */
  readonly owners: readonly string[];
}

/** The entry for a stored reply and its waybill's owners; the reply itself when it has none. */
export function encodeOwned(stored: Buffer, owners: readonly string[]): Buffer {
  if (owners.length === 0) return stored;
  if (owners.length > MAX_OWNERS_IN_ENTRY) throw new Error(`more than ${MAX_OWNERS_IN_ENTRY} owners`);
  const out = Buffer.alloc(HEAD + owners.length * HASH_BYTES + stored.length);
  out[0] = owners.length;
  out[MARK_AT] = MARK;
  owners.forEach((h, i) => {
    if (!isOpenidHash(h)) throw new Error('not an openid hash');
    out.write(h, HEAD + i * HASH_BYTES, HASH_BYTES, 'hex');
  });
  stored.copy(out, HEAD + owners.length * HASH_BYTES);
  return out;
}

const NONE: readonly string[] = Object.freeze([]);

/** The stored reply and owners of an entry (no copy of the reply: a view of the same bytes). */
export function decodeOwned(entry: Buffer): OwnedEntry {
  if (entry.length <= HEAD || entry[MARK_AT] !== MARK) return { stored: entry, owners: NONE };
  const count = entry[0]!;
  const owners: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = HEAD + i * HASH_BYTES;
    owners.push(entry.toString('hex', at, at + HASH_BYTES));
  }
  return { stored: entry.subarray(HEAD + count * HASH_BYTES), owners };
}
