import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replyViewContract } from '../reply-view.case.test.js';
import { NO_MARK } from '../../store/sql/change-feed.js';
import { LmdbReplyView } from './lmdb-view.js';

replyViewContract('lmdb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxtrack-view-'));
  const path = join(dir, 'view.mdb');
  const view = new LmdbReplyView({ path });
  return Promise.resolve({
    view,
    reopen: () => new LmdbReplyView({ path }),
    dispose: async () => {
      await view.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('LmdbReplyView', () => {
  it('keeps its contents across a restart, and discards a file written under another boot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxtrack-view-'));
    const path = join(dir, 'view.mdb');
    try {
      const first = new LmdbReplyView({ path });
      const at = (seq: number) => ({ store: 'S', seq, tag: `t${seq}` });
      await first.reset(at(0));
      await first.fill(at(0), [{ carrier: 'yt', waybill: 'A', value: Buffer.from('a') }]);
      await first.advance(at(3), []);
      await first.close();

      const second = new LmdbReplyView({ path });
      expect(second.get('yt', 'A')?.toString()).toBe('a');
      expect(second.position()).toEqual(at(3));
      await second.close();

      if (!existsSync('/proc/sys/kernel/random/boot_id')) return;
      writeFileSync(path + '-boot', 'another-boot\n');
      const third = new LmdbReplyView({ path });
      expect(third.get('yt', 'A')).toBeUndefined();
      expect(third.position()).toEqual(NO_MARK);
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
