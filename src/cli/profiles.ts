// Named server profiles in $XDG_CONFIG_HOME/hookd/config.json (default ~/.config/hookd/config.json):
//
//   { "defaultProfile": "default", "profiles": { "default": { "url": "...", "apiKey": "hk_..." } } }
//
// The file holds API keys, so it is written with mode 0600 (and its folder 0700), and re-chmodded on
// every write because `mode` only applies when a file is created.

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

export interface Profile {
  url?: string;
  apiKey?: string;
}

export interface ProfileFile {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

export const DEFAULT_PROFILE = 'default';
export const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.trim() !== '' ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config');
  return join(base, 'hookd', 'config.json');
}

export function readProfiles(env: NodeJS.ProcessEnv = process.env): ProfileFile {
  const path = configPath(env);
  if (!existsSync(path)) return { profiles: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message} (fix or delete the file)`, 2, { cause: err });
  }
  const file = parsed as Partial<ProfileFile> | null;
  if (!file || typeof file !== 'object' || typeof file.profiles !== 'object' || file.profiles === null) {
    throw new CliError(`${path} is not a hookd CLI config (expected { "profiles": { ... } })`, 2);
  }
  return { ...(typeof file.defaultProfile === 'string' ? { defaultProfile: file.defaultProfile } : {}), profiles: file.profiles };
}

export function writeProfiles(file: ProfileFile, env: NodeJS.ProcessEnv = process.env): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Write then rename: a crash mid-write must not leave a truncated file holding half a key.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) throw new CliError(`invalid profile name "${name}" (letters, digits, _ . - only)`, 2);
  return name;
}
