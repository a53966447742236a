/**
 * @module
 * Where the gateway gets a waybill's reply: the one dependency of the query path on data. The
 * gateway never sees a store, a view file or an upstream API, only this.
 *
 * Implementations:
 * - render on read: a waybill's events (store/ roles) rendered by the pure tracking core;
 * - the reply view (view/): a node-local cache in front of another source, kept coherent by the
 *   store's change feed;
 * - pull mode (pull/): a carrier's existing tracking API, cached with its own freshness rules.
 *
 * `getReply` may answer synchronously (a view hit): the query path then writes the reply without
 * a promise or a microtask per request. It returns a promise when it has to wait.
 *
 * The reader's openid is passed so that a source can choose the privacy tier (privacy/): the
 * waybill's owners get the full reply, everyone else the masked one. A source that keeps the
 * owners beside the masked reply decides a stranger's query with the one lookup it already makes.
 */

/** Which reply a reader may see (privacy/): the owner's full one, or a stranger's masked one. */
export type ReplyTier = 'full' | 'masked';

/** A waybill's reply: script-safe OrderInfo JSON, ready for `WxOrderCb(` + json + `)`. */
export interface Reply {
  /** UTF-8 bytes: the query path writes them to the socket without decoding. */
  readonly json: Buffer;
  /**
   * The same reply as view/deflated-reply.ts stores it, when the source holds it compressed (the
   * reply view): the query path then sends it gzip-encoded as it is.
   */
  readonly deflated?: Buffer;
  /**
   * The openid hashes of the waybill's owners, when this is a stranger's (masked) reply that a
   * source keeps with them (privacy/): the tier is then chosen without a lookup of its own.
   */
  readonly owners?: readonly string[];
}

export type MaybePromise<T> = T | Promise<T>;

export interface ReplySource {
  /**
   * The reply of a carrier's waybill as `openid` may see it, or `undefined` for an unknown
   * waybill (40401). Rejects (or throws) when the data behind it cannot answer: the gateway
   * answers 50001. `openid` is never logged or stored in clear.
   */
  getReply(carrier: string, waybill: string, openid: string): MaybePromise<Reply | undefined>;
}
