/**
 * @module
 * The contract every ReplyView passes. A backend's test file calls {@link replyViewContract} with a
 * factory; `reopen`, when given, opens a second handle on the same view (another process's).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeMark } from '../store/roles.js';
import { NO_MARK } from '../store/sql/change-feed.js';
import type { ReplyView } from './reply-view.js';

const v = (text: string) => Buffer.from(text);
/** A change mark of store S (or `store`), with a tag derived from the seq unless given. */
const m = (seq: number, tag = seq === 0 ? '' : `t${seq}`, store = 'S'): ChangeMark => ({ store, seq, tag });
const e = (waybill: string, text: string, carrier = 'yt') => ({ carrier, waybill, value: v(text) });

export interface ViewHarness {
  readonly view: ReplyView;
  /** A second handle on the same view, as another process would open it; absent for a private view. */
  reopen?(): ReplyView;
  dispose(): Promise<void>;
}

export function replyViewContract(name: string, make: () => Promise<ViewHarness>): void {
  describe(`ReplyView contract: ${name}`, () => {
    let h: ViewHarness | undefined;
    afterEach(async () => {
      await h?.dispose();
      h = undefined;
    });

    /** A view that derives from store S, at its empty log, as a first catch-up leaves it. */
    const started = async () => {
      const harness = await make();
      await harness.view.reset(m(0));
      return harness;
    };

    it('starts empty at a mark no store proves', async () => {
      h = await make();
      expect(h.view.position()).toEqual(NO_MARK);
      expect(h.view.get('yt', 'A')).toBeUndefined();
      expect(h.view.size()).toBe(0);
    });

    it('fills at the position it was read at, keyed by carrier and waybill', async () => {
      h = await started();
      expect(await h.view.fill(m(0), [e('A', 'a1'), e('A', 'other', 'sf')])).toBe(true);
      expect(h.view.get('yt', 'A')?.toString()).toBe('a1');
      expect(h.view.get('sf', 'A')?.toString()).toBe('other');
      expect(h.view.get('yt', 'B')).toBeUndefined();
      expect(h.view.size()).toBe(2);
    });

    it('refuses a fill read before the position moved: a stale reply never lands after its invalidation', async () => {
      h = await started();
      const seenAt = h.view.position();
      expect(await h.view.advance(m(5), [{ carrier: 'yt', waybill: 'A' }])).toBe(true);
      expect(await h.view.fill(seenAt, [e('A', 'stale')])).toBe(false);
      expect(h.view.get('yt', 'A')).toBeUndefined();
      expect(await h.view.fill(m(5), [e('A', 'fresh')])).toBe(true);
      expect(h.view.get('yt', 'A')?.toString()).toBe('fresh');
    });

    it('advance drops only the touched waybills and moves only forward', async () => {
      h = await started();
      await h.view.fill(m(0), [e('A', 'a'), e('B', 'b'), e('C', 'c')]);
      expect(await h.view.advance(m(3), [{ carrier: 'yt', waybill: 'B' }])).toBe(true);
      expect(h.view.get('yt', 'A')?.toString()).toBe('a');
      expect(h.view.get('yt', 'B')).toBeUndefined();
      expect(h.view.get('yt', 'C')?.toString()).toBe('c');
      expect(h.view.position()).toEqual(m(3));
      // Another follower already got to 3: nothing happens, and nothing is dropped.
      expect(await h.view.advance(m(3), [{ carrier: 'yt', waybill: 'A' }])).toBe(false);
      expect(await h.view.advance(m(2), [{ carrier: 'yt', waybill: 'A' }])).toBe(false);
      expect(h.view.get('yt', 'A')?.toString()).toBe('a');
      expect(h.view.position()).toEqual(m(3));
    });

    it('reset drops everything and records the position, of any store', async () => {
      h = await started();
      await h.view.fill(m(0), [e('A', 'a'), e('B', 'b')]);
      await h.view.reset(m(42, 'x', 'T'));
      expect(h.view.size()).toBe(0);
      expect(h.view.get('yt', 'A')).toBeUndefined();
      expect(h.view.position()).toEqual(m(42, 'x', 'T'));
    });

    it('fills only at exactly the mark it was read at: same seq, tag and store', async () => {
      h = await started();
      await h.view.advance(m(4), []);
      expect(await h.view.fill(m(4, 'other'), [e('A', 'a')])).toBe(false);
      expect(await h.view.fill(m(4, 't4', 'T'), [e('A', 'a')])).toBe(false);
      expect(await h.view.fill(m(4), [e('A', 'a')])).toBe(true);
      // Advancing needs the same store: another store's mark comes only through a reset.
      expect(await h.view.advance(m(9, 't9', 'T'), [{ carrier: 'yt', waybill: 'A' }])).toBe(false);
      expect(h.view.get('yt', 'A')?.toString()).toBe('a');
    });

    it('shares its contents and position with another handle on the same view', async () => {
      h = await started();
      if (!h.reopen) return; // a private view: nothing to share
      const other = h.reopen();
      try {
        await h.view.fill(m(0), [e('A', 'a')]);
        await h.view.advance(m(7), []);
        await new Promise((r) => setImmediate(r)); // a new event turn: a fresh read snapshot
        expect(other.get('yt', 'A')?.toString()).toBe('a');
        expect(other.position()).toEqual(m(7));
        // The other handle's stale fill is refused as well.
        expect(await other.fill(m(0), [e('A', 'stale')])).toBe(false);
      } finally {
        await other.close();
      }
    });

    it('remembers a finished warm-up until a reset', async () => {
      h = await started();
      expect(h.view.isWarm()).toBe(false);
      await h.view.markWarm();
      expect(h.view.isWarm()).toBe(true);
      await h.view.advance(m(3), [{ carrier: 'yt', waybill: 'A' }]);
      expect(h.view.isWarm()).toBe(true); // a miss refills an invalidated reply: still warm
      await h.view.reset(m(9, 'x', 'T'));
      expect(h.view.isWarm()).toBe(false);
    });

    it('refuses calls after close', async () => {
      h = await started();
      await h.view.close();
      await expect(h.view.fill(m(0), [e('A', 'a')])).rejects.toThrow();
    });
  });
}
