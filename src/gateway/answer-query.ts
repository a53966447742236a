/**
 * @module
 * Answering one WeChat track query, from raw query string to JSONP body, independent of any HTTP
 * framework. The order of checks is deliberate: cheap, stateless checks first; the signature
 * before anything that writes (the replay guard) or reads (the store).
 *
 * 1. callback — without an allowed one nothing can be answered as JSONP (HTTP 400);
 * 2. every parameter once and well-formed (40004);
 * 3. timestamp within the window (40002), before hashing: this also defeats the signature's
 *    malleable split (see protocol/signature.ts), whose variants all carry absurd timestamps;
 * 4. the carrier, by company_id or waybill pattern (40005, 40402);
 * 5. the signature against that carrier's tokens (40001);
 * 6. a carrier in `test` mode serves whitelisted waybills only (40401);
 * 7. the replay guard binds the signature to (orderid, openid) (40003), or, at capacity, refuses
 *    (50001) rather than forget a live signature;
 * 8. one read of the reply source (40401), and the reply: when the source holds it deflated (the
 *    reply view) and the client accepts gzip, as one gzip member spliced around the stored bytes
 *    without compressing anything per query (view/deflated-reply.ts).
 *
 * Synchronous when it can be. A guard that can check in memory (`checkSync`) and a source that
 * answers at once (a view hit) give an answer without a promise, a microtask or a closure per
 * request (the profile of issue 21 put promise and microtask machinery around answers already
 * known among the largest costs of a query). A guard or a source that must wait (Redis, a store read)
 * makes the answer a promise; both ways give the same bytes (answer-query.test.ts).
 *
 * The carriers are read once per request (a snapshot), so a reload mid-request changes nothing
 * for that request.
 */
import { servesWaybill, type Carrier } from '../carrier/carrier.js';
import type { CarrierSource } from '../carrier/carrier-source.js';
import { routeQuery } from '../carrier/route.js';
import type { Clock } from '../clock/clock.js';
import type { ReplayGuard, ReplayVerdict } from '../guard/replay-guard.js';
import { Errors, type CatalogEntry } from '../protocol/errors.js';
import { errorBodies } from '../protocol/order-info.js';
import { readTrackQuery } from '../protocol/query.js';
import { verifySignature } from '../protocol/signature.js';
import type { Reply, ReplySource } from '../reply/reply-source.js';
import { gzipJsonp, jsonpOpener, plainJsonp, type JsonpOpener } from '../view/deflated-reply.js';

export interface QueryAnswererDeps {
  /** A fixed list, or a source a reload swaps (read once per request). */
  readonly carriers: readonly Carrier[] | CarrierSource;
  readonly callbacks: readonly string[];
  /** Accepted clock distance, seconds, either way. */
  readonly windowSeconds: number;
  readonly replies: ReplySource;
  readonly guard: ReplayGuard;
  readonly clock: Clock;
}

/** What to send back, and what happened (for logs and metrics). */
export interface Answer {
  /** HTTP status. */
  readonly status: number;
  readonly body: string | Buffer;
  readonly outcome: CatalogEntry;
  /** Set once the carrier is known. */
  readonly carrier?: string;
  /** Set once the query's shape is valid. */
  readonly orderid?: string;
  readonly openid?: string;
  /** The exception behind a 50001, for the log. */
  readonly error?: unknown;
  /** `gzip` when `body` is gzip-encoded (only ever for a client that accepts it). */
  readonly encoding?: 'gzip';
}

/** The fixed body of a request that cannot be answered as JSONP: it echoes nothing. */
export const BAD_CALLBACK_BODY = 'bad request: callback missing or not allowed\n';

/** Logged behind the 50001 of a query refused because the replay guard is at capacity. */
export const GUARD_FULL = new Error('replay guard at capacity: query refused (raise its capacity)');

/**
 * `acceptsGzip`: the request's Accept-Encoding allows gzip (see http/accept-encoding.ts). The
 * answer is a promise only when the guard or the reply source had to wait.
 */
export type QueryAnswerer = (search: string, acceptsGzip?: boolean) => Answer | Promise<Answer>;

const CLOSER = Buffer.from(')');

/** The answer of a served reply. */
function served(reply: Reply, opener: JsonpOpener, gzip: boolean, carrier: string, q: Who): Answer {
  const deflated = reply.deflated;
  if (deflated === undefined) {
    const body = Buffer.concat([opener.plain, reply.json, CLOSER]);
    return { status: 200, body, outcome: Errors.OK, carrier, orderid: q.orderid, openid: q.openid };
  }
  if (!gzip) {
    const body = plainJsonp(opener, deflated);
    return { status: 200, body, outcome: Errors.OK, carrier, orderid: q.orderid, openid: q.openid };
  }
  const body = gzipJsonp(opener, deflated);
  return {
    status: 200,
    body,
    encoding: 'gzip',
    outcome: Errors.OK,
    carrier,
    orderid: q.orderid,
    openid: q.openid,
  };
}

interface Who {
  readonly orderid: string;
  readonly openid: string;
  readonly callback: string;
}

const isPromise = <T>(x: T | Promise<T>): x is Promise<T> =>
  typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';

export function createQueryAnswerer(deps: QueryAnswererDeps): QueryAnswerer {
  const allowed = new Set(deps.callbacks);
  const bodies = new Map(deps.callbacks.map((cb) => [cb, errorBodies(cb)]));
  const openers = new Map(deps.callbacks.map((cb) => [cb, jsonpOpener(cb)]));
  const windowMs = deps.windowSeconds * 1000;
  const { replies, guard, clock } = deps;
  const checkSync = guard.checkSync?.bind(guard);
  const given = deps.carriers;
  const source: CarrierSource = 'current' in given ? given : { current: () => given };

  const fail = (callback: string, outcome: CatalogEntry, extra?: Partial<Answer>): Answer => ({
    status: outcome.status,
    body: bodies.get(callback)!.get(outcome)!,
    outcome,
    ...extra,
  });
  const who = (q: Who, carrier?: string) =>
    carrier === undefined
      ? { orderid: q.orderid, openid: q.openid }
      : { orderid: q.orderid, openid: q.openid, carrier };
  // Fail closed: a guard or source outage refuses loudly and serves nothing unverified.
  const broken = (q: Who, carrier: string, error: unknown) =>
    fail(q.callback, Errors.INTERNAL, { ...who(q, carrier), error });

  /** Step 8, once the source has answered. */
  const reply = (q: Who, carrier: string, gzip: boolean, found: Reply | undefined): Answer =>
    found === undefined
      ? fail(q.callback, Errors.UNKNOWN_WAYBILL, who(q, carrier))
      : served(found, openers.get(q.callback)!, gzip, carrier, q);

  /** Step 7's verdict, then step 8: synchronous while the source answers synchronously. */
  const afterGuard = (
    q: Who,
    carrier: string,
    gzip: boolean,
    verdict: ReplayVerdict,
  ): Answer | Promise<Answer> => {
    if (verdict === 'conflict') return fail(q.callback, Errors.REPLAYED, who(q, carrier));
    // No room to bind it without forgetting a live signature: refuse rather than weaken.
    if (verdict === 'full')
      return fail(q.callback, Errors.INTERNAL, { ...who(q, carrier), error: GUARD_FULL });
    let found: Reply | undefined | Promise<Reply | undefined>;
    try {
      found = replies.getReply(carrier, q.orderid, q.openid);
    } catch (error) {
      return broken(q, carrier, error);
    }
    if (!isPromise(found)) return reply(q, carrier, gzip, found);
    return found.then(
      (r) => reply(q, carrier, gzip, r),
      (error: unknown) => broken(q, carrier, error),
    );
  };

  return (search, acceptsGzip = false) => {
    const read = readTrackQuery(search, allowed);
    if (!read.ok) {
      if (read.problem === 'callback') {
        return { status: Errors.BAD_CALLBACK.status, body: BAD_CALLBACK_BODY, outcome: Errors.BAD_CALLBACK };
      }
      return fail(read.callback, Errors.BAD_PARAMETER);
    }
    const q = read.query;

    const now = clock.now();
    const tsMs = Number(q.timestamp) * 1000;
    if (Math.abs(now - tsMs) > windowMs) return fail(q.callback, Errors.TIMESTAMP_WINDOW, who(q));

    const routed = routeQuery(source.current(), q.companyId, q.orderid);
    if (!routed.ok) {
      return fail(
        q.callback,
        routed.problem === 'unknown-carrier' ? Errors.UNKNOWN_CARRIER : Errors.PATTERN_MISMATCH,
        who(q),
      );
    }
    const carrier = routed.carrier.id;
    const signed = verifySignature(routed.carrier.tokens, q.signature, q.timestamp, q.nonce);
    if (!signed.ok) return fail(q.callback, Errors.BAD_SIGNATURE, who(q, carrier));
    // Same answer as an unknown waybill: a test carrier shows nothing beyond its whitelist.
    if (!servesWaybill(routed.carrier, q.orderid))
      return fail(q.callback, Errors.UNKNOWN_WAYBILL, who(q, carrier));

    // The entry may be forgotten once the timestamp has left the window for good.
    const binding = q.orderid + '\n' + q.openid + '\n' + carrier;
    const expiresAt = tsMs + windowMs + 1000;
    let verdict: ReplayVerdict | Promise<ReplayVerdict>;
    try {
      verdict = checkSync
        ? checkSync(q.signature, binding, expiresAt)
        : guard.check(q.signature, binding, expiresAt);
    } catch (error) {
      return broken(q, carrier, error);
    }
    if (!isPromise(verdict)) return afterGuard(q, carrier, acceptsGzip, verdict);
    return verdict.then(
      (v) => afterGuard(q, carrier, acceptsGzip, v),
      (error: unknown) => broken(q, carrier, error),
    );
  };
}
