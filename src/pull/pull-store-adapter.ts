/**
 * @module
 * Pull mode behind today's query path, which still reads a Store: the store's object with its
 * `getReply` answered by {@link PullCarriers.route} for pull carriers. Once the gateway depends
 * on ReplySource alone, the route is handed to it directly and this adapter goes.
 */
import type { Store } from '../store/store.js';
import type { PullCarriers } from './pull-carriers.js';

export function storeWithPull(store: Store, pull: PullCarriers): Store {
  if (pull.byCarrier.size === 0) return store;
  const source = pull.route({ getReply: (carrier, waybill) => store.getReply(carrier, waybill) });
  const getReply = async (carrier: string, waybill: string) => source.getReply(carrier, waybill, '');
  return new Proxy(store, {
    get(target, key) {
      if (key === 'getReply') return getReply;
      const value: unknown = Reflect.get(target, key, target);
      // Methods run on the real object, whose private fields a proxy cannot reach.
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
