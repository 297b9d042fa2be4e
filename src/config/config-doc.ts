// Renders docs/config.md from the settings schema, so the documentation cannot drift from the code.

import { SETTINGS, type SettingSpec } from './settings.js';

export function renderConfigDoc(): string {
  const rows = (Object.entries(SETTINGS) as Array<[string, SettingSpec<unknown>]>).map(([key, s]) => {
    const def = s.type === 'cidr-list' ? (s.default === '' ? '(none)' : String(s.default)) : s.default === '' ? '(unset)' : String(s.default);
    const range = s.min !== undefined ? ` (${s.min}..${s.max})` : s.values ? ` (${s.values.join(' \\| ')})` : '';
    return `| \`${key}\` | \`${s.env}\` | ${s.flag ? `\`--${s.flag}\`` : ''} | ${s.type}${range} | \`${def}\` | ${s.doc.replaceAll('|', '\\|')}${s.secret ? ' *(secret: masked in output)*' : ''} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/config/settings.ts by `npm run docs`. A test fails when this file is stale. -->',
    '',
    'Precedence: command-line flag > environment variable > config file (`--config file.json` or `HOOKD_CONFIG`, keys as in the first column) > default.',
    'An unknown `HOOKD_*` variable, an unknown config-file key or an invalid value stops start-up with a message naming the setting.',
    '`hookd serve --print-config` prints the effective configuration with secrets masked.',
    '`PORT` is read as a fallback for `HOOKD_PORT`. The CLI client reads `HOOKD_URL`, `HOOKD_API_KEY` and `HOOKD_PROFILE` (see docs/cli.md).',
    '',
    '| key | environment | flag | type | default | description |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
