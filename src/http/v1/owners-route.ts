/**
 * @module
 * `PUT` and `DELETE /v1/waybills/:waybill/owners`: the courier binds a reader's openid to a waybill
 * after its own check (privacy tiers: owners get the full reply, strangers the masked one), with
 * the key scope of events. The body is `{"openid": "..."}`: an openid never travels in a URL, where
 * access logs and proxies would keep it. It is hashed with the owner key at once
 * (privacy/openid-hash.ts); only the hash reaches the store, and nothing echoes it.
 *
 * A binding needs its waybill (404 otherwise), so it is erased and purged with it (store roles:
 * Eraser). A pull-mode carrier's waybill lives upstream, not in the store: its binding writes the
 * waybill's record (an attributes row without attributes, `setAttributes` with an empty patch)
 * instead of checking for it, without asking the upstream (the courier binds after its own check,
 * and a bind must not spend the waybill's upstream call budget). Retention then erases the record
 * and its bindings `retentionDays` after the last binding, and `DELETE /v1/waybills/:waybill`
 * erases them at once, as for a stored waybill.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors } from '../../api/api-errors.js';
import { hashOpenid } from '../../privacy/openid-hash.js';
import { OPENID_RE } from '../../protocol/query.js';
import type { OwnerBindings } from '../../store/roles.js';
import { apiKeyOf, sendApiError, type OwnerDeps, type V1Deps } from './api-context.js';

/** The store's owner bindings, when its backend keeps them (every backend of the storage seam). */
export function ownerBindingsOf(store: object): OwnerBindings | undefined {
  const s = store as Partial<OwnerBindings>;
  return typeof s.bindOwner === 'function' &&
    typeof s.unbindOwner === 'function' &&
    typeof s.isOwner === 'function'
    ? (store as OwnerBindings)
    : undefined;
}

/** The openid of a body, or `undefined` when the body is not `{"openid": "..."}`. */
export function openidOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  const openid = (body as { openid?: unknown }).openid;
  return keys.length === 1 && typeof openid === 'string' && OPENID_RE.test(openid) ? openid : undefined;
}

export function registerOwnerRoutes(
  api: FastifyInstance,
  deps: V1Deps & OwnerDeps,
  waybillOf: (params: unknown) => string | undefined,
): void {
  /** The binding a request names, or the refusal already sent (same checks, same order, for both verbs). */
  const bindingOf = (request: FastifyRequest, reply: FastifyReply) => {
    const waybill = waybillOf(request.params);
    if (waybill === undefined) return sendApiError(reply, ApiErrors.BAD_WAYBILL);
    if (!deps.owners || !deps.ownerKey) return sendApiError(reply, ApiErrors.OWNERS_NOT_CONFIGURED);
    const openid = openidOf(request.body);
    if (openid === undefined) return sendApiError(reply, ApiErrors.BAD_OWNER);
    const carrier = apiKeyOf(request).carrier;
    return { owners: deps.owners, carrier, waybill, hash: hashOpenid(deps.ownerKey, carrier, openid) };
  };

  api.put('/waybills/:waybill/owners', async (request, reply) => {
    const b = bindingOf(request, reply);
    if (!('hash' in b)) return b;
    if (deps.pulls?.(b.carrier) === true) await deps.store.setAttributes(b.carrier, b.waybill, {});
    else if (!(await deps.store.readWaybill(b.carrier, b.waybill)))
      return sendApiError(reply, ApiErrors.WAYBILL_NOT_FOUND);
    await b.owners.bindOwner(b.carrier, b.waybill, b.hash, deps.clock.now());
    // The binding is a change of the waybill's replies: this process's view drops them first.
    await deps.afterWrite();
    return reply.header('cache-control', 'no-store').send({ bound: true });
  });

  api.delete('/waybills/:waybill/owners', async (request, reply) => {
    const b = bindingOf(request, reply);
    if (!('hash' in b)) return b;
    const unbound = await b.owners.unbindOwner(b.carrier, b.waybill, b.hash);
    await deps.afterWrite();
    return reply.header('cache-control', 'no-store').send({ unbound });
  });
}
