/**
 * @module
 * A Store that behaves like `inner` except for the methods given: for tests that slow down, count
 * or break one call. Survives the interface growing, unlike an object literal.
 */
import type { Store } from '../store/store.js';

export function wrapStore(inner: Store, over: Partial<Store>): Store {
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key in over) return over[key as keyof Store];
      const value: unknown = Reflect.get(target, key, receiver);
      // Methods run on the real object, whose private fields a proxy cannot reach.
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A store whose every call fails, as a store whose disk is gone. */
export function brokenStore(message = 'disk gone'): Store {
  const fail = () => Promise.reject(new Error(message));
  return new Proxy({} as Store, {
    get(_target, key) {
      if (key === 'close') return () => Promise.resolve();
      return fail;
    },
  });
}
