/**
 * @module
 * The contract every ReplyCache passes. A backend's test file calls {@link replyCacheContract}
 * with a factory taking the byte bound.
 */
import { describe, expect, it } from 'vitest';
import type { ReplyCache } from './reply-cache.js';

const buf = (text: string) => Buffer.from(text);

export function replyCacheContract(name: string, make: (maxBytes: number) => ReplyCache): void {
  describe(`ReplyCache contract: ${name}`, () => {
    it('returns what was set, and counts hits and misses', () => {
      const c = make(1000);
      expect(c.get('a')).toBeUndefined();
      c.set('a', buf('{"x":1}'));
      expect(c.get('a')?.toString()).toBe('{"x":1}');
      expect(c.stats()).toMatchObject({ entries: 1, bytes: 7, hits: 1, misses: 1 });
    });

    it('replaces a value and keeps the byte count exact', () => {
      const c = make(1000);
      c.set('a', buf('12345'));
      c.set('a', buf('12'));
      expect(c.get('a')?.toString()).toBe('12');
      expect(c.stats()).toMatchObject({ entries: 1, bytes: 2 });
    });

    it('evicts the least recently used entries to stay within its bytes', () => {
      const c = make(10);
      c.set('a', buf('aaaa'));
      c.set('b', buf('bbbb'));
      c.get('a'); // a is now the most recent
      c.set('c', buf('cccc'));
      expect(c.get('b')).toBeUndefined();
      expect(c.get('a')?.toString()).toBe('aaaa');
      expect(c.get('c')?.toString()).toBe('cccc');
      expect(c.stats()).toMatchObject({ entries: 2, bytes: 8, evictions: 1 });
    });

    it('does not keep a value larger than the whole cache, and drops the old one', () => {
      const c = make(4);
      c.set('a', buf('ab'));
      c.set('a', buf('abcdefgh'));
      expect(c.get('a')).toBeUndefined();
      expect(c.stats().bytes).toBe(0);
    });

    it('deletes and clears', () => {
      const c = make(100);
      c.set('a', buf('1'));
      c.set('b', buf('2'));
      c.delete('a');
      c.delete('missing');
      expect(c.get('a')).toBeUndefined();
      expect(c.stats()).toMatchObject({ entries: 1, bytes: 1 });
      c.clear();
      expect(c.get('b')).toBeUndefined();
      expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
    });

    it('holds nothing with a zero bound', () => {
      const c = make(0);
      c.set('a', buf('1'));
      expect(c.get('a')).toBeUndefined();
    });
  });
}
