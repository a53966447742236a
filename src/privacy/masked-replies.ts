/**
 * @module
 * The stranger's reply source in store mode: a waybill's events read from the store, rendered with
 * the carrier's masking (privacy/), and the waybill's owners read beside them, so that the reply
 * view caches both in one entry (owned-entry.ts) and the tier choice (tiered-reply-source.ts) needs
 * no lookup of its own. It answers the same for every reader: it is what the view may cache.
 * The two reads run concurrently; a view miss costs the slower of them.
 */
import type { MaybePromise, Reply, ReplySource } from '../reply/reply-source.js';
import type { WaybillReader } from '../store/roles.js';
import type { RenderOptions } from '../tracking/render.js';
import type { PrivacyRules } from './privacy-rules.js';
import { renderTierJson } from './tiered-render.js';

/** The owners of a waybill, as openid hashes (OwnerBindings.ownersOf). */
export interface OwnersReader {
  ownersOf(carrier: string, waybill: string): Promise<readonly string[]>;
}

/** A reply with the owners of its waybill. */
export interface MaskedReply extends Reply {
  readonly owners: readonly string[];
}

export class MaskedReplies implements ReplySource {
  readonly #reader: Pick<WaybillReader, 'readWaybill'>;
  readonly #owners: OwnersReader;
  readonly #optionsOf: (carrier: string) => Omit<RenderOptions, 'overrides' | 'privacy'>;
  readonly #rulesOf: (carrier: string) => PrivacyRules;

  constructor(
    reader: Pick<WaybillReader, 'readWaybill'>,
    owners: OwnersReader,
    optionsOf: (carrier: string) => Omit<RenderOptions, 'overrides' | 'privacy'>,
    rulesOf: (carrier: string) => PrivacyRules,
  ) {
    this.#reader = reader;
    this.#owners = owners;
    this.#optionsOf = optionsOf;
    this.#rulesOf = rulesOf;
  }

  /** The masked reply and the owners; the openid plays no part (every reader's, cacheable). */
  getReply(carrier: string, waybill: string): MaybePromise<MaskedReply | undefined> {
    return Promise.all([
      this.#reader.readWaybill(carrier, waybill),
      this.#owners.ownersOf(carrier, waybill),
    ]).then(([state, owners]) =>
      state === undefined
        ? undefined
        : {
            json: Buffer.from(
              renderTierJson(state, this.#optionsOf(carrier), 'masked', this.#rulesOf(carrier)),
            ),
            owners,
          },
    );
  }
}
