/** The pure decisions of pull mode, on a hand-moved clock. */
import { describe, expect, it } from 'vitest';
import { Breaker } from './breaker.js';
import { freshness, shouldRefresh } from './cache-policy.js';
import { CallBudget } from './call-budget.js';
import { parsePath, readPath } from './json-path.js';
import { DEFAULT_CACHE } from './pull-settings.js';
import { SingleFlight } from './single-flight.js';

const MIN = 60_000;

describe('cache policy', () => {
  const entry = { fetchedAt: 0, signed: false, unknown: false };
  it('fresh for 30 min, then stale for 2 h, then expired', () => {
    expect(freshness(entry, 30 * MIN - 1, DEFAULT_CACHE)).toBe('fresh');
    expect(freshness(entry, 30 * MIN, DEFAULT_CACHE)).toBe('stale');
    expect(freshness(entry, 150 * MIN - 1, DEFAULT_CACHE)).toBe('stale');
    expect(freshness(entry, 150 * MIN, DEFAULT_CACHE)).toBe('expired');
  });
  it('a signed parcel is fresh for 24 h, an unknown waybill for 5 min', () => {
    expect(freshness({ ...entry, signed: true }, 24 * 60 * MIN - 1, DEFAULT_CACHE)).toBe('fresh');
    expect(freshness({ ...entry, unknown: true }, 5 * MIN, DEFAULT_CACHE)).toBe('stale');
  });
  it('waits the retry time after a failed refresh', () => {
    expect(shouldRefresh({ ...entry, failedAt: 100 }, 100 + 29_999, DEFAULT_CACHE)).toBe(false);
    expect(shouldRefresh({ ...entry, failedAt: 100 }, 100 + 30_000, DEFAULT_CACHE)).toBe(true);
  });
});

describe('call budget', () => {
  it('48 calls in a sliding 24 h window', () => {
    const b = new CallBudget(48, 24 * 60 * MIN, 10);
    for (let i = 0; i < 48; i++) expect(b.take('w', i * MIN)).toBe(true);
    expect(b.take('w', 48 * MIN)).toBe(false);
    expect(b.take('other', 48 * MIN)).toBe(true);
    expect(b.left('w', 24 * 60 * MIN)).toBe(1); // the first call left the window
    expect(b.take('w', 24 * 60 * MIN)).toBe(true);
    expect(b.take('w', 24 * 60 * MIN)).toBe(false);
  });
  it('forgets the least recently called waybill past its size', () => {
    const b = new CallBudget(1, MIN, 2);
    b.take('a', 0);
    b.take('b', 0);
    b.take('c', 0);
    expect(b.left('a', 0)).toBe(1);
    expect(b.left('b', 0)).toBe(0);
  });
});

describe('breaker', () => {
  it('opens after N failures in a row, half-opens by itself, one trial decides', () => {
    const br = new Breaker(3, 1000);
    br.failure(0);
    br.success();
    br.failure(0);
    br.failure(0);
    expect(br.state(0)).toBe('closed');
    br.failure(10);
    expect(br.state(10)).toBe('open');
    expect(br.allow(500)).toBe(false);
    expect(br.state(1010)).toBe('half-open');
    expect(br.allow(1010)).toBe(true);
    expect(br.allow(1010)).toBe(false);
    br.failure(1020);
    expect(br.state(1500)).toBe('open');
    expect(br.allow(2020)).toBe(true);
    br.success();
    expect(br.state(2020)).toBe('closed');
    expect(br.timesOpened).toBe(2);
  });
});

describe('single flight', () => {
  it('one run per key until it settles', async () => {
    const sf = new SingleFlight<number>();
    let runs = 0;
    let release!: (n: number) => void;
    const work = () => {
      runs++;
      return new Promise<number>((r) => (release = r));
    };
    const a = sf.run('k', work);
    const b = sf.run('k', work);
    expect(a).toBe(b);
    release(7);
    expect(await b).toBe(7);
    expect(sf.size).toBe(0);
    void sf.run('k', work);
    expect(runs).toBe(2);
  });
});

describe('json paths', () => {
  it('dots and indexes; own properties only', () => {
    expect(parsePath('$.a.b[2].c')).toEqual(['a', 'b', 2, 'c']);
    expect(parsePath('a.b')).toEqual(['a', 'b']);
    expect(parsePath('$.a[*]')).toBeUndefined();
    expect(readPath({ a: { b: [0, 0, { c: 'x' }] } }, ['a', 'b', 2, 'c'])).toBe('x');
    expect(readPath({}, parsePath('constructor')!)).toBeUndefined();
    expect(readPath({ a: 'str' }, ['a', 0])).toBeUndefined();
  });
});
