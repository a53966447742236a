/**
 * @module
 * {@link Store}: the sum of the store's roles (roles.ts), as a backend (`sqlite/`, `postgres/`)
 * implements it. Every backend runs one contract suite (`store.case.test.ts`). Callers take the
 * one role they use, never `Store`. The records the roles exchange are in records.ts, and named
 * here too for the callers that import them from the store.
 *
 * The store keeps events, the attributes the waybill API set, owners and API keys; it renders
 * nothing. Replies are rendered on read (reply/render-on-read.ts) and cached by the reply view.
 */
import type { StoreBackend } from './roles.js';

export * from './records.js';

/** What a backend implements: every role. */
export type Store = StoreBackend;
