// Writes schema/wxtrack.config.schema.json from the schema the validator uses (src/config/config-schema.ts).
// Run through `npm run schema`, which builds dist/ first. A test fails while the two differ.
import { writeFileSync } from 'node:fs';
import { schemaFileText } from '../dist/config/config-schema.js';

const target = new URL('../schema/wxtrack.config.schema.json', import.meta.url);
writeFileSync(target, schemaFileText());
process.stdout.write(`wrote ${target.pathname}\n`);
