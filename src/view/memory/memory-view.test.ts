import { replyViewContract } from '../reply-view.case.test.js';
import { MemoryReplyView } from './memory-view.js';

replyViewContract('memory', () => {
  const view = new MemoryReplyView();
  return Promise.resolve({ view, dispose: () => view.close() });
});
