/**
 * @module
 * `wxtrack init`: the one step that creates a database, and a starter configuration beside it.
 * Every other command refuses a database file that does not exist (or needs `--create`), so a
 * mistyped `--db` path is reported instead of becoming an empty database that answers 40401.
 * Nothing that exists is overwritten.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../clock/clock.js';
import { CONFIG_FILE_NAME } from '../../config/config-file.js';
import { STARTER_TOKEN_ENV, starterConfigText } from '../../config/starter-config.js';
import { openStore } from '../../backends/open-backends.js';
import { ENV, type Flags } from '../../config/settings.js';
import { describeStore, loadDbSetting } from '../../config/store-settings.js';
import { configPathSetting } from '../../config/carrier-settings.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

/** The published schema, in a clone and in an installed package alike (dist/ and src/ sit at the same depth). */
const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/wxtrack.config.schema.json', import.meta.url));

export const initCommand: Command = {
  name: 'init',
  summary: 'create the database and a commented starter configuration',
  usage: `wxtrack init [--db PATH] [--config FILE] [--carrier ID]

  --db PATH|URL  SQLite database to create (WXTRACK_DB, default ./data/wxtrack.db), with its
                 folder; or a postgres:// URL, whose tables it creates
  --config FILE  starter configuration to write (WXTRACK_CONFIG, default ./${CONFIG_FILE_NAME})
  --carrier ID   the starter carrier's id, i.e. its company_id (default MYCOURIER)

  An existing database or configuration file is left as it is.`,
  options: {
    db: { type: 'string' },
    config: { type: 'string' },
    carrier: { type: 'string' },
  },
  run: runInit,
};

async function runInit(flags: Flags, _args: readonly string[], io: Output): Promise<number> {
  // --config names the file to write, not one to read: the database comes from --db alone.
  const spec = loadDbSetting(flags);
  // A PostgreSQL database is made by its administrator; init creates wxtrack's tables in it.
  const dbPath = spec.kind === 'postgres' ? spec.url : spec.path;
  const shown = spec.kind === 'postgres' ? describeStore(spec) : spec.path;
  const configPath = configPathSetting(flags) ?? CONFIG_FILE_NAME;
  const carrierId = typeof flags.carrier === 'string' ? flags.carrier : 'MYCOURIER';
  if (dbPath === ':memory:') {
    io.err('wxtrack init: --db :memory: is no file to create; give a path such as ./data/wxtrack.db\n');
    return 2;
  }
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(carrierId)) {
    io.err(`wxtrack init: --carrier "${carrierId}" must be 1 to 32 of A-Z a-z 0-9 _ -\n`);
    return 2;
  }

  const dbExisted = spec.kind === 'sqlite' && existsSync(dbPath);
  await (await openStore(spec, { create: true, clock: systemClock })).close();
  io.out(
    spec.kind === 'postgres'
      ? `database ${shown} ready: wxtrack's tables are in place\n`
      : dbExisted
        ? `database ${shown} exists; left as it is\n`
        : `created database ${shown}\n`,
  );

  if (existsSync(configPath)) {
    io.out(`configuration ${configPath} exists; left as it is\n`);
  } else {
    let schemaPath = relative(dirname(resolve(configPath)), SCHEMA_FILE)
      .split(sep)
      .join('/');
    if (!schemaPath.startsWith('.')) schemaPath = `./${schemaPath}`;
    // A URL with a password stays out of the file: the file reads it from WXTRACK_DB instead.
    const db = describeStore(spec) === dbPath ? dbPath : { env: ENV.db };
    writeFileSync(configPath, starterConfigText({ schemaPath, db, carrierId }), { flag: 'wx' });
    io.out(`wrote starter configuration ${configPath}\n`);
  }
  io.out(
    `\nnext:\n` +
      `  1. edit ${configPath}: the carrier's id, name, waybillPattern, phone and testWaybills\n` +
      `  2. export ${STARTER_TOKEN_ENV}='the token registered with WeChat'\n` +
      `  3. wxtrack config check ${configPath}\n` +
      `  4. wxtrack import events.ndjson --config ${configPath}\n` +
      `  5. wxtrack serve --config ${configPath}\n`,
  );
  return 0;
}
