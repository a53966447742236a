/**
 * @module
 * `wxtrack keys create --name NAME | list | revoke NAME`: the ingest API keys. A new key is
 * printed once; the database keeps only its hash, so a lost key is revoked and replaced, never
 * recovered.
 */
import { generateApiKey, isValidKeyName } from '../../api/api-keys.js';
import { systemClock } from '../../clock/clock.js';
import { type Flags } from '../../config/settings.js';
import { loadStoreScope, type StoreSpec } from '../../config/store-settings.js';
import { loadImportConfig } from '../../config/ingest-config.js';
import { openStore } from '../../backends/open-backends.js';
import type { Output } from '../output.js';
import { didYouMean } from '../suggest.js';
import type { Command } from './command.js';

export const keysCommand: Command = {
  name: 'keys',
  summary: 'create, list and revoke API keys for the push and waybill API',
  usage: `wxtrack keys create --name NAME [--carrier ID] [--config FILE] [--db PATH|URL]
wxtrack keys list [--carrier ID] [--json] [--config FILE] [--db PATH|URL]
wxtrack keys revoke NAME [--carrier ID] [--config FILE] [--db PATH|URL]

  create prints the new key once (the database keeps only a SHA-256 hash of it). Send it as
  "Authorization: Bearer <key>". A key writes and reads the waybills of its --carrier
  (WXTRACK_CARRIER_ID, default "default"). With --config (WXTRACK_CONFIG), --carrier must be
  one of the file's carriers, exactly as spelled there, and --db defaults to the file's. list
  shows every carrier's keys, or only --carrier's; revoke with --carrier revokes the key only if
  it belongs to that carrier. No carrier's token needs to be set. A revoked key is refused at once.`,
  options: {
    name: { type: 'string' },
    carrier: { type: 'string' },
    config: { type: 'string' },
    db: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: true,
  run: runKeys,
};

const KEY_NAME_FORM = '1 to 64 of A-Z a-z 0-9 _ . - (starting with a letter or digit), e.g. sorter-01';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

async function runKeys(flags: Flags, args: readonly string[], io: Output): Promise<number> {
  const usage = (msg: string) => {
    io.err(`wxtrack keys: ${msg}\n\n${keysCommand.usage}\n`);
    return 2;
  };
  const [sub, ...rest] = args;
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
    const what = sub === undefined ? 'a subcommand is required' : `unknown subcommand "${sub}"`;
    return usage(
      `${what}: create, list or revoke${sub === undefined ? '' : didYouMean(sub, ['create', 'list', 'revoke'])}`,
    );
  }
  let spec: StoreSpec;
  let carrierId: string | undefined;
  if (sub === 'create') {
    const loaded = loadImportConfig(flags);
    if (!loaded.ok) return usage(loaded.errors.join('; '));
    ({ store: spec, carrierId } = loaded.config);
    if (rest.length > 0) return usage('create takes no positional arguments; use --name');
    if (typeof flags.name !== 'string') return usage(`--name is required: ${KEY_NAME_FORM}`);
    if (!isValidKeyName(flags.name))
      return usage(`--name "${flags.name}" is not a key name: ${KEY_NAME_FORM}`);
  } else {
    const loaded = loadStoreScope(flags);
    if (!loaded.ok) return usage(loaded.errors.join('; '));
    ({ store: spec, carrier: carrierId } = loaded.config);
    if (flags.name !== undefined)
      return usage(
        `--name is for create; ${sub} takes ${sub === 'revoke' ? 'the NAME as an argument' : 'no name'}`,
      );
    if (sub === 'revoke' && rest.length !== 1) return usage('revoke takes one NAME');
    if (sub === 'list' && rest.length > 0) return usage('list takes no positional arguments');
  }

  const store = await openStore(spec, { clock: systemClock });
  try {
    if (sub === 'create') {
      const name = flags.name as string;
      const { key, record } = generateApiKey(name, carrierId!, systemClock.now());
      if ((await store.addApiKey(record)) === 'name-taken') {
        io.err(
          `wxtrack keys: an active key is already named "${name}"; revoke it first or pick another name\n`,
        );
        return 1;
      }
      io.out(`${key}\n`);
      io.err(`created key "${name}" for carrier "${carrierId}": store it now, it is not shown again\n`);
      return 0;
    }
    if (sub === 'list') {
      const keys = (await store.listApiKeys()).filter(
        (k) => carrierId === undefined || k.carrier === carrierId,
      );
      if (flags.json === true) {
        io.out(
          JSON.stringify(
            keys.map((k) => ({
              name: k.name,
              id: k.id,
              carrier: k.carrier,
              created_at: iso(k.createdAt),
              revoked_at: iso(k.revokedAt),
            })),
          ) + '\n',
        );
      } else {
        if (keys.length === 0) io.out('no keys\n');
        for (const k of keys) {
          io.out(
            `${k.name}\t${k.carrier}\twxt_${k.id}_…\tcreated ${iso(k.createdAt)}` +
              (k.revokedAt === undefined ? '\tactive' : `\trevoked ${iso(k.revokedAt)}`) +
              '\n',
          );
        }
      }
      return 0;
    }
    const name = rest[0]!;
    if (carrierId !== undefined) {
      // Scoped: a key of another carrier is left alone, and said to be.
      const active = (await store.listApiKeys()).find((k) => k.name === name && k.revokedAt === undefined);
      if (active && active.carrier !== carrierId) {
        io.err(
          `wxtrack keys: the active key "${name}" belongs to carrier "${active.carrier}", not "${carrierId}"; nothing revoked\n`,
        );
        return 1;
      }
    }
    if (!(await store.revokeApiKey(name, systemClock.now()))) {
      io.err(`wxtrack keys: no active key named "${name}"\n`);
      return 1;
    }
    io.out(`revoked key "${name}"\n`);
    return 0;
  } finally {
    await store.close();
  }
}
