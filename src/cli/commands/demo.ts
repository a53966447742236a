/**
 * @module
 * `wxtrack demo`: the gateway on a throw-away SQLite database filled with demo parcels (one per
 * order_status and one longer trip), plus ready-to-paste signed curl lines.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Flags } from '../../config/settings.js';
import { loadDemoConfig } from '../../config/gateway-config.js';
import { demoEvents } from '../../demo/demo-data.js';
import { importEventLines } from '../../ingest/import-events.js';
import { signedQueryUrl } from '../../protocol/signed-url.js';
import { startGateway, untilSignal } from '../gateway-process.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'serve demo parcels from a temporary database and print signed curl lines',
  usage: `wxtrack demo [--port N] [--host H]

  Starts the gateway on a temporary SQLite database with eight demo parcels: one for every
  order_status (YT9000000000000 to YT9000000000006) and one longer trip (YT9000000000007). Prints
  the demo token and signed curl lines (valid for the timestamp window: re-sign with
  \`wxtrack sign\` after that), and deletes the database on exit.`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'log-level': { type: 'string' },
  },
  run: runDemo,
};

async function runDemo(flags: Flags, _args: readonly string[], io: Output): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'wxtrack-demo-'));
  const token = 'demo' + randomBytes(12).toString('hex');
  const loaded = loadDemoConfig({
    ...flags,
    token,
    db: join(dir, 'demo.db'),
    'waybill-pattern': 'YT\\d{13}',
    'log-level': typeof flags['log-level'] === 'string' ? flags['log-level'] : 'warn',
  });
  if (!loaded.ok) {
    io.err(`wxtrack demo: ${loaded.errors.join('; ')}\n`);
    rmSync(dir, { recursive: true, force: true });
    return 2;
  }
  const config = loaded.config;
  try {
    const gateway = await startGateway(config, { createDb: true });
    const events = demoEvents(Date.now());
    const carrier = config.carriers[0]!;
    await importEventLines(
      events.map((e) => JSON.stringify(e)),
      gateway.store,
      { carrier: carrier.id, timeZone: carrier.timezone },
    );
    const waybills = [...new Set(events.map((e) => e.waybill))];
    const now = String(Math.floor(Date.now() / 1000));
    io.out(`wxtrack demo: serving ${waybills.length} demo parcels at ${gateway.origin}${config.trackPath}\n`);
    io.out(`token: ${token}\n\nPaste any of these within ${config.windowSeconds} s:\n\n`);
    for (const waybill of waybills) {
      const url = signedQueryUrl({
        url: gateway.origin + config.trackPath,
        token,
        orderid: waybill,
        openid: 'oDemoUser' + waybill.slice(-4),
        timestamp: now,
        nonce: String(randomInt(1, 2 ** 47)),
      });
      io.out(`curl -s '${url}'\n`);
    }
    io.out(
      `\nLater: npx wxtrack sign --token ${token} --orderid YT9000000000003 --url ${gateway.origin}${config.trackPath}\n`,
    );
    io.out('Ctrl-C stops the demo and deletes its database.\n');
    await untilSignal();
    await gateway.close();
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
