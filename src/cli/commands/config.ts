// `hookd login` and `hookd config set|get|list|use`: server profiles in ~/.config/hookd/config.json
// (mode 0600). `login` checks the key against the server before saving it.

import type { Command } from 'commander';
import { HookdClient, normalizeUrl } from '../client.js';
import { CliError, UsageError } from '../errors.js';
import { outputFor } from '../output.js';
import { checkProfileName, configPath, DEFAULT_PROFILE, readProfiles, writeProfiles, type Profile } from '../profiles.js';

const KEYS: Record<string, keyof Profile> = { url: 'url', 'api-key': 'apiKey' };

function profileName(cmd: Command): string {
  const opts = cmd.optsWithGlobals<{ profile?: string }>();
  const file = readProfiles();
  return checkProfileName(opts.profile ?? file.defaultProfile ?? DEFAULT_PROFILE);
}

const mask = (key: string | undefined): string | undefined => (key === undefined ? undefined : `${key.slice(0, 10)}…`);

export function registerConfig(program: Command): void {
  program
    .command('login')
    .description('Save a server URL and API key as a profile (checked against the server first)')
    .option('--url <url>', 'Server URL (default: HOOKD_URL, else http://localhost:8080)')
    .option('--api-key <key>', 'API key (default: HOOKD_API_KEY)')
    .action(async (opts: { url?: string; apiKey?: string }, cmd: Command) => {
      const out = outputFor(cmd);
      const name = profileName(cmd);
      const url = normalizeUrl(opts.url ?? process.env.HOOKD_URL ?? 'http://localhost:8080');
      const apiKey = opts.apiKey ?? process.env.HOOKD_API_KEY;
      if (!apiKey) throw new UsageError('give --api-key (hookd serve prints an admin key on first start; `hookd keys create` makes more)');
      const client = new HookdClient({ url, apiKey, profile: name });
      // Nothing is saved unless the URL is a hookd server and the key works there.
      const { version } = await client.ensureHookd();
      await client.get('/v1/endpoints', { limit: 1 });
      const file = readProfiles();
      file.profiles[name] = { url, apiKey };
      if (!file.defaultProfile) file.defaultProfile = name;
      const path = writeProfiles(file);
      out.note(`logged in to ${url} (hookd ${version}); saved as profile "${name}" in ${path}`);
    });

  const config = program.command('config').description('Show and change CLI profiles (~/.config/hookd/config.json)');

  config
    .command('set')
    .description('Set url or api-key in the current profile (or --profile)')
    .argument('<key>', 'url or api-key')
    .argument('<value>')
    .action((key: string, value: string, _opts: unknown, cmd: Command) => {
      const field = KEYS[key];
      if (!field) throw new UsageError(`unknown key "${key}": use url or api-key`);
      const name = profileName(cmd);
      const file = readProfiles();
      file.profiles[name] = { ...file.profiles[name], [field]: field === 'url' ? normalizeUrl(value) : value };
      if (!file.defaultProfile) file.defaultProfile = name;
      const path = writeProfiles(file);
      outputFor(cmd).note(`set ${key} of profile "${name}" in ${path}`);
    });

  config
    .command('get')
    .description('Print one setting of the current profile (the API key masked)')
    .argument('<key>', 'url or api-key')
    .action((key: string, _opts: unknown, cmd: Command) => {
      const field = KEYS[key];
      if (!field) throw new UsageError(`unknown key "${key}": use url or api-key`);
      const name = profileName(cmd);
      const value = readProfiles().profiles[name]?.[field];
      if (value === undefined) throw new CliError(`profile "${name}" has no ${key}`, 1);
      outputFor(cmd).line(field === 'apiKey' ? (mask(value) ?? '') : value);
    });

  config
    .command('list')
    .description('List profiles (API keys masked)')
    .option('--json', 'Print JSON')
    .action((_opts: unknown, cmd: Command) => {
      const out = outputFor(cmd);
      const file = readProfiles();
      const current = file.defaultProfile ?? DEFAULT_PROFILE;
      const rows = Object.entries(file.profiles).map(([name, p]) => ({ name, current: name === current, url: p.url ?? null, apiKey: mask(p.apiKey) ?? null }));
      if (out.json) return out.document({ path: configPath(), defaultProfile: current, profiles: rows });
      if (rows.length === 0) return out.note(`no profiles in ${configPath()}: run \`hookd login --url ... --api-key ...\``);
      out.table(['', 'PROFILE', 'URL', 'API KEY'], rows.map((r) => [r.current ? '*' : '', r.name, r.url, r.apiKey]));
    });

  config
    .command('use')
    .description('Make a profile the default')
    .argument('<profile>')
    .action((name: string, _opts: unknown, cmd: Command) => {
      checkProfileName(name);
      const file = readProfiles();
      if (!file.profiles[name]) throw new CliError(`no profile "${name}" (see hookd config list)`, 1);
      file.defaultProfile = name;
      writeProfiles(file);
      outputFor(cmd).note(`default profile is now "${name}"`);
    });
}
