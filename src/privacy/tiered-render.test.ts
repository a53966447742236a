import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../tracking/event.js';
import { renderWaybill } from '../tracking/render.js';
import { strangerMasking } from './draw-trace.js';
import { DEFAULT_PRIVACY, type PrivacyRules } from './privacy-rules.js';
import { renderForTier, tiersDiffer } from './tiered-render.js';

const OPTIONS = { timeZone: 'Asia/Shanghai' } as const;

const event = (i: number, fields: Partial<StoredEvent>): StoredEvent => ({
  waybill: 'YT1234567890123',
  eventId: `e${i}`,
  time: Date.UTC(2026, 6, 4, 1, i),
  status: 3,
  label: '派送中',
  description: '快件派送中',
  location: undefined,
  eta: undefined,
  cells: undefined,
  seq: i,
  ingestedAt: 0,
  ...fields,
});

const signed = event(2, {
  status: 4,
  label: '已签收',
  description: '已签收',
  location: '杭州西湖',
  recipientName: '张三',
  recipientPhone: '13800001234-5678',
  pickupCode: '8-3-2011',
});

describe('renderForTier', () => {
  it("draws an event's personal fields in full for an owner and masked for a stranger", () => {
    const owner = renderForTier([signed], OPTIONS, 'full', DEFAULT_PRIVACY).info.traces[0]!;
    const stranger = renderForTier([signed], OPTIONS, 'masked', DEFAULT_PRIVACY).info.traces[0]!;
    expect(owner.accept_address).toBe(
      '已签收\n已签收（收件人：张三，电话：13800001234-5678，取件码：8-3-2011）',
    );
    expect(stranger.accept_address).toBe(
      '已签收\n已签收（收件人：张*，电话：138******34-****，取件码：****）',
    );
    expect(stranger.remark).toBe('杭州西湖');
  });

  it("hides a field's value wherever the waybill's text repeats it, in earlier traces too", () => {
    const earlier = event(1, { description: '请张三凭8-3-2011取件', location: '张三家' });
    const traces = renderForTier([earlier, signed], OPTIONS, 'masked', DEFAULT_PRIVACY).info.traces;
    expect(traces[0]).toMatchObject({ accept_address: '派送中\n请张*凭****取件', remark: '张*家' });
  });

  it('masks the free text of label, description and location for a stranger', () => {
    const e = event(1, { description: '收件人电话13812345678无人接听', location: '文一路3栋2单元501室' });
    const [t] = renderForTier([e], OPTIONS, 'masked', DEFAULT_PRIVACY).info.traces;
    expect(t).toMatchObject({
      accept_address: '派送中\n收件人电话138******78无人接听',
      remark: '文一路3栋*单元***室',
    });
  });

  it("gives everyone the owner's reply when the carrier turned masking off", () => {
    const off: PrivacyRules = { ...DEFAULT_PRIVACY, mask: false, reason: 'internal mail only, no customers' };
    expect(tiersDiffer(off)).toBe(false);
    expect(strangerMasking(off, [signed])).toBeUndefined();
    expect(renderForTier([signed], OPTIONS, 'masked', off)).toEqual(renderWaybill([signed], OPTIONS));
  });

  it("an owner's reply is the plain render, and a reply without personal data is unchanged by it", () => {
    expect(renderForTier([signed], OPTIONS, 'full', DEFAULT_PRIVACY)).toEqual(
      renderWaybill([signed], OPTIONS),
    );
    const plain = event(1, {});
    expect(renderWaybill([plain], OPTIONS).info.traces[0]).toEqual({
      accept_time: '2026-07-04 09:01:00',
      accept_address: '派送中\n快件派送中',
      remark: '',
    });
  });
});
