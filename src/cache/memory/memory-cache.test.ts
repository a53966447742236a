import { describe, expect, it } from 'vitest';
import { replyCacheContract } from '../reply-cache.case.test.js';
import { MemoryReplyCache } from './memory-cache.js';

replyCacheContract('memory', (maxBytes) => new MemoryReplyCache({ maxBytes }));

describe('MemoryReplyCache', () => {
  it('rejects a negative bound', () => {
    expect(() => new MemoryReplyCache({ maxBytes: -1 })).toThrow(RangeError);
  });
});
