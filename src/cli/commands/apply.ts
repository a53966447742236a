/**
 * @module
 * `wxtrack apply`: writes the application email to WeChat from the configuration file, and names
 * what is still missing (spec §1.邮件申请). Exit 0 when the email is complete, 1 while something
 * is missing, 2 on usage errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { applicationEmail } from '../../apply/application-email.js';
import { type Flags } from '../../config/settings.js';
import { loadOneCarrier } from '../../config/carrier-settings.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'write the application email to WeChat from the configuration',
  usage: `wxtrack apply --config FILE [--carrier ID] [--check-report REPORT.md] [--out FILE]

  --config defaults to WXTRACK_CONFIG; --carrier is required when the file has several carriers.

  Prints the email (To, Subject, body) with every field the spec asks for, taken from the
  carrier's settings and its "application" section; --out writes it to FILE instead.
  --check-report attaches the Markdown of \`wxtrack check --report\`. What is still missing is
  listed on stderr, each with where to set it. Exit 0 when complete, 1 while something is missing.`,
  options: {
    config: { type: 'string' },
    carrier: { type: 'string' },
    'check-report': { type: 'string' },
    out: { type: 'string' },
  },
  run: async (flags: Flags, _args, io: Output) => {
    // The email needs no token: none is resolved. --carrier is required when the file has several.
    const loaded = loadOneCarrier(flags, undefined, { token: false });
    if (!loaded.ok) {
      io.err(`wxtrack apply: ${loaded.errors.join('; ')}\n`);
      return 2;
    }
    if (!loaded.config.file) {
      io.err(
        'wxtrack apply: the email is written from wxtrack.config.json: pass --config FILE (or set WXTRACK_CONFIG)\n',
      );
      return 2;
    }
    const { carrier, index } = loaded.config;
    let checkReport: string | undefined;
    if (typeof flags['check-report'] === 'string') {
      try {
        checkReport = readFileSync(flags['check-report'], 'utf8');
      } catch (err) {
        io.err(`wxtrack apply: cannot read the check report: ${(err as Error).message}\n`);
        return 2;
      }
    }
    const email = applicationEmail({
      carrier,
      at: `carriers[${index}]`,
      ...(checkReport === undefined ? {} : { checkReport }),
    });
    const text = `To: ${email.to}\nSubject: ${email.subject}\n\n${email.body}`;
    if (typeof flags.out === 'string') writeFileSync(flags.out, text);
    else io.out(text);
    io.err(
      email.missing.length === 0
        ? 'wxtrack apply: complete. Attach the scans of 《营业执照》 and 《快递业务经营许可证》 and send it.\n'
        : `wxtrack apply: still missing:\n${email.missing.map((m) => `  - ${m}\n`).join('')}`,
    );
    return email.missing.length === 0 ? 0 : 1;
  },
};
