// Writes the generated documentation: docs/config.md and docs/errors.md.
import { writeFileSync } from 'node:fs';
import { renderConfigDoc } from '../src/config/config-doc.js';
import { renderErrorsDoc } from '../src/api/errors-doc.js';

writeFileSync(new URL('../docs/config.md', import.meta.url), renderConfigDoc());
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
process.stdout.write('wrote docs/config.md and docs/errors.md\n');
