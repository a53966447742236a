/**
 * @module
 * What every `/v1` route shares with the plugin that mounts them: the dependencies, the request's
 * authenticated key and the JSON error reply. Kept apart from api-plugin.ts so the routes and the
 * plugin import this module, not each other.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiErrorBody, type ApiErrorEntry } from '../../api/api-errors.js';
import type { Clock } from '../../clock/clock.js';
import type { PushIngestor } from '../../ingest/push/push-ingestor.js';
import type { GatewayMetrics } from '../../metrics/metrics.js';
import type { RenderOnRead } from '../../reply/render-on-read.js';
import type { ApiKeyStore, Eraser, EventLog, OwnerBindings, WaybillReader } from '../../store/roles.js';
import type { ApiKeyRecord } from '../../store/store.js';
import type { EventCodeMapping } from '../../tracking/event-codes.js';
import type { WaybillRule } from '../../tracking/event.js';
import type { Logger } from '../logging.js';

/** What the owners routes need beyond the other waybill routes. */
export interface OwnerDeps {
  /** Where bindings are kept; absent: the store cannot bind, the routes answer 503. */
  readonly owners?: OwnerBindings | undefined;
  /** Key of the openid hash; absent: the routes answer 503. */
  readonly ownerKey?: string | undefined;
  /** Whether a carrier is served in pull mode (its waybills are not in the store). */
  readonly pulls?: ((carrier: string) => boolean) | undefined;
}

export interface V1Deps extends OwnerDeps {
  readonly store: Pick<EventLog, 'setAttributes'> &
    Pick<WaybillReader, 'readWaybill'> &
    Pick<Eraser, 'deleteWaybill'> &
    Pick<ApiKeyStore, 'findApiKey'>;
  /** Renders the reply the waybill API shows beside the events. */
  readonly render: Pick<RenderOnRead, 'render'>;
  /** The after-write hook: run before a waybill-API write is answered (the reply view catches up). */
  readonly afterWrite: () => Promise<void>;
  /** Where `POST /v1/events` hands its pushes (it runs the after-write hook itself). */
  readonly ingestor: PushIngestor;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Largest `POST /v1/events` body, bytes: the global value. */
  readonly bodyLimitBytes: number;
  readonly eventCodes: EventCodeMapping;
  /**
   * A carrier's own body limit and scan codes (its entries in the configuration file), else the
   * global ones; the global ones when left out.
   */
  readonly bodyLimitOf?: (carrier: string) => number;
  readonly eventCodesOf?: (carrier: string) => EventCodeMapping;
  /** The zone of a carrier's event times and replies. */
  readonly timeZoneOf: (carrier: string) => string;
  /** A carrier's registered cell keys, when it registered any: events and attributes use no other. */
  readonly cellKeysOf: (carrier: string) => ReadonlySet<string> | undefined;
  /** A carrier's registered links by cell key: a pushed `status` that repeats one is warned about. */
  readonly cellLinksOf?: (carrier: string) => ReadonlyMap<string, string> | undefined;
  /**
   * A carrier's waybill pattern, or `undefined` when the configuration does not serve that
   * carrier at all (its key is then refused: WeChat could never be shown what it writes).
   */
  readonly waybillRuleOf: (carrier: string) => WaybillRule | undefined;
  /** Counts pushed events and store failures; none when left out. */
  readonly metrics?: Pick<GatewayMetrics, 'ingested' | 'storeError'>;
}

const keys = new WeakMap<FastifyRequest, ApiKeyRecord>();

/** The authenticated key of a request inside the plugin (set by the `onRequest` hook). */
export function apiKeyOf(request: FastifyRequest): ApiKeyRecord {
  const key = keys.get(request);
  if (!key) throw new Error('route reached without authentication');
  return key;
}

/** Sends a catalog error, with no-store like every API reply. */
export function sendApiError(reply: FastifyReply, entry: ApiErrorEntry, detail?: string): FastifyReply {
  return reply.code(entry.statusCode).header('cache-control', 'no-store').send(apiErrorBody(entry, detail));
}

/** The request's authenticated key, or `undefined` before the `onRequest` hook has run. */
export function authenticatedKeyOf(request: FastifyRequest): ApiKeyRecord | undefined {
  return keys.get(request);
}

/** Route config of the push route: its body limit is the sending carrier's. */
export const CARRIER_BODY_LIMIT = Object.freeze({ carrierBodyLimit: true });

/** Marks a request as authenticated with `key` (the plugin's `onRequest` hook). */
export function rememberApiKey(request: FastifyRequest, key: ApiKeyRecord): void {
  keys.set(request, key);
}
