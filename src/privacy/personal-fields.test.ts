import { describe, expect, it } from 'vitest';
import { parseScanEvent } from '../tracking/event.js';
import { mainDigitsOf, maskPersonal, parsePersonalFields, personalSuffix } from './personal-fields.js';

const base = {
  waybill: 'YT1234567890123',
  event_id: 'e1',
  time: '2026-07-04T20:47:03+08:00',
  status: 4,
  description: '已签收',
};
const parse = (extra: Record<string, unknown>) =>
  parseScanEvent({ ...base, ...extra }, { timeZone: 'Asia/Shanghai' });

describe('personal fields on events', () => {
  it('parses recipient_name, recipient_phone and pickup_code onto the event', () => {
    const r = parse({ recipient_name: ' 张三 ', recipient_phone: '13812345678', pickup_code: '8-3-2011' });
    expect(r.ok && r.event).toMatchObject({
      recipientName: '张三',
      recipientPhone: '13812345678',
      pickupCode: '8-3-2011',
    });
  });

  it('leaves them off an event without them, so existing events look as before', () => {
    const r = parse({});
    expect(r.ok && Object.keys(r.event)).not.toContain('recipientName');
    expect(r.ok && 'recipientPhone' in r.event).toBe(false);
  });

  it.each([
    ['13812345678'],
    ['138 1234 5678'],
    ['138-1234-5678'],
    ['+8613812345678'],
    ['+86 138 1234 5678'],
    ['13800001234-5678'],
    ['13800001234转5678'],
    ['0571-88888888'],
    ['057188888888'],
  ])('accepts the phone %s', (phone) => {
    expect(parse({ recipient_phone: phone }).ok).toBe(true);
  });

  it.each([
    [{ recipient_phone: '12345' }, /^recipient_phone: not a phone number/],
    [{ recipient_phone: '23812345678' }, /^recipient_phone: not a phone number/],
    [{ recipient_phone: 13812345678 }, /^recipient_phone: must be a string/],
    [{ recipient_name: '张3' }, /^recipient_name: a name has no digits/],
    [{ recipient_name: 'x'.repeat(33) }, /^recipient_name: at most 32 characters/],
    [{ pickup_code: 'a\nb' }, /^pickup_code: control characters/],
    [{ pickup_code: 1234 }, /^pickup_code: must be a string/],
  ])('refuses %o', (extra, reason) => {
    const r = parse(extra);
    expect(r.ok ? 'accepted' : r.reason).toMatch(reason);
  });

  it('counts the main digits of a phone apart from its extension', () => {
    expect(mainDigitsOf('13800001234-5678')).toBe(11);
    expect(mainDigitsOf('138-1234-5678')).toBe(11);
    expect(mainDigitsOf('0571-88888888')).toBe(12);
    expect(mainDigitsOf('0571-8888888-123')).toBe(11);
  });

  it('masks each field as the standard asks', () => {
    expect(
      maskPersonal({ recipientName: '张三', recipientPhone: '13800001234-5678', pickupCode: '8-3-2011' }),
    ).toEqual({ recipientName: '张*', recipientPhone: '138******34-****', pickupCode: '****' });
    expect(maskPersonal({ recipientPhone: '+86 138 1234 5678' }).recipientPhone).toBe('+86 138 **** **78');
    expect(maskPersonal({ recipientPhone: '0571-88888888' }).recipientPhone).toBe('057*-******88');
  });

  it('draws the fields after the description', () => {
    expect(
      personalSuffix({ recipientName: '张三', recipientPhone: '13812345678', pickupCode: '8-3-2011' }),
    ).toBe('（收件人：张三，电话：13812345678，取件码：8-3-2011）');
    expect(personalSuffix({ pickupCode: '1' })).toBe('（取件码：1）');
    expect(personalSuffix({})).toBe('');
  });

  it('parses the three fields alone', () => {
    expect(parsePersonalFields({})).toEqual({});
    expect(parsePersonalFields({ recipient_name: '', pickup_code: null })).toEqual({});
  });
});

describe('personal fields in the fingerprint', () => {
  it('make a re-sent event with another recipient a conflict, and leave older fingerprints unchanged', async () => {
    const { eventFingerprint } = await import('../tracking/fingerprint.js');
    const plain = parse({});
    const withPhone = parse({ recipient_phone: '13812345678' });
    const otherPhone = parse({ recipient_phone: '13812345679' });
    if (!plain.ok || !withPhone.ok || !otherPhone.ok) throw new Error('expected valid events');
    expect(eventFingerprint(withPhone.event)).not.toBe(eventFingerprint(plain.event));
    expect(eventFingerprint(withPhone.event)).not.toBe(eventFingerprint(otherPhone.event));
    // The fingerprint of an event without personal fields, as stored before they existed.
    const { createHash } = await import('node:crypto');
    const e = plain.event;
    const before = createHash('sha256')
      .update(JSON.stringify([e.waybill, e.time, e.status, e.label, e.description, null, null, null]))
      .digest('base64url');
    expect(eventFingerprint(e)).toBe(before);
  });
});
