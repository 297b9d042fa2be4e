// Resolve the effective configuration: flag > environment > config file > default. Every value is
// parsed and range-checked here, once; an unknown or invalid setting fails start-up with a message
// that names it, instead of surfacing later as odd behaviour.

import { readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { SETTINGS, type Config, type SettingKey, type SettingSpec } from './settings.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** HOOKD_* variables that belong to the CLI client or the loader itself, not to the server schema. */
const NON_SETTING_ENV = new Set(['HOOKD_URL', 'HOOKD_API_KEY', 'HOOKD_PROFILE', 'HOOKD_CONFIG']);

export interface ConfigSources {
  flags?: Partial<Record<SettingKey, string | number | boolean | undefined>>;
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file whose keys are setting keys (camelCase). */
  file?: string | undefined;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  for (const name of Object.keys(env)) {
    if (name.startsWith('HOOKD_') && !NON_SETTING_ENV.has(name) && !ENV_TO_KEY.has(name)) {
      throw new ConfigError(`unknown setting ${name} in the environment (see docs/config.md for the list)`);
    }
  }
  const fileValues = sources.file ? readConfigFile(sources.file) : {};
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as Array<[SettingKey, SettingSpec<unknown>]>) {
    const flag = sources.flags?.[key];
    let raw: unknown;
    let origin: string;
    if (flag !== undefined) {
      raw = flag;
      origin = `--${spec.flag ?? key}`;
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
      raw = env[spec.env];
      origin = spec.env;
    } else if (key === 'port' && env.PORT !== undefined && env.PORT !== '') {
      raw = env.PORT;
      origin = 'PORT';
    } else if (Object.hasOwn(fileValues, key)) {
      raw = fileValues[key];
      origin = `${key} in ${sources.file}`;
    } else {
      out[key] = spec.type === 'cidr-list' ? parseCidrs(String(spec.default), 'default') : spec.default;
      continue;
    }
    out[key] = parseValue(spec, raw, origin);
  }
  checkCombinations(out as Config);
  return out as Config;
}

/** Settings that only make sense together fail at start-up, naming both, not at first use. */
function checkCombinations(config: Config): void {
  const name = (key: SettingKey): string => {
    const spec: SettingSpec<unknown> = SETTINGS[key];
    return spec.flag ? `--${spec.flag} (${spec.env})` : spec.env;
  };
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) {
    const [set, missing] = config.tlsCert ? (['tlsCert', 'tlsKey'] as const) : (['tlsKey', 'tlsCert'] as const);
    throw new ConfigError(`${name(set)} is set but ${name(missing)} is not: HTTPS needs both the certificate and its key`);
  }
  // A process would be presumed dead between two of its own heartbeats.
  if (config.ownerDeadAfterMs < 2 * config.heartbeatMs) {
    throw new ConfigError(`${name('ownerDeadAfterMs')} (${config.ownerDeadAfterMs}) must be at least twice ${name('heartbeatMs')} (${config.heartbeatMs})`);
  }
  // A rotation must finish (publish lead + overlap) before the next one is due, or keys pile up.
  if (config.signingKeyRotationDays > 0 && config.keySetMaxAgeSeconds + config.signingKeyOverlapSeconds >= config.signingKeyRotationDays * 86_400) {
    throw new ConfigError(
      `${name('keySetMaxAgeSeconds')} + ${name('signingKeyOverlapSeconds')} (${config.keySetMaxAgeSeconds + config.signingKeyOverlapSeconds} s) must be shorter than ${name('signingKeyRotationDays')} (${config.signingKeyRotationDays} days): one rotation must end before the next begins`,
    );
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(`${name('headersTimeoutMs')} (${config.headersTimeoutMs}) must not exceed ${name('requestTimeoutMs')} (${config.requestTimeoutMs}): the headers are part of the request`);
  }
}

const ENV_TO_KEY = new Map<string, SettingKey>(
  (Object.entries(SETTINGS) as Array<[SettingKey, SettingSpec<unknown>]>).map(([k, s]) => [s.env, k]),
);

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(SETTINGS, key)) throw new ConfigError(`unknown setting "${key}" in config file ${path}`);
  }
  return value as Record<string, unknown>;
}

function parseValue(spec: SettingSpec<unknown>, raw: unknown, origin: string): unknown {
  const text = String(raw).trim();
  switch (spec.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(text)) throw new ConfigError(`${origin} must be a whole number, got "${text}"`);
      const n = Number(text);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ConfigError(`${origin} must be between ${spec.min} and ${spec.max}, got ${n}`);
      }
      return n;
    }
    case 'boolean': {
      if (raw === true || ['true', '1', 'yes', 'on'].includes(text.toLowerCase())) return true;
      if (raw === false || ['false', '0', 'no', 'off'].includes(text.toLowerCase())) return false;
      throw new ConfigError(`${origin} must be true or false, got "${text}"`);
    }
    case 'enum':
      if (!spec.values?.includes(text)) throw new ConfigError(`${origin} must be one of ${spec.values?.join(', ')}, got "${text}"`);
      return text;
    case 'cidr-list':
      return parseCidrs(text, origin);
    default:
      return text;
  }
}

function parseCidrs(text: string, origin: string): string[] {
  if (text === '') return [];
  return text.split(',').map((entry) => {
    const cidr = entry.trim();
    try {
      const [addr, bits] = ipaddr.parseCIDR(cidr);
      return `${addr.toString()}/${bits}`;
    } catch {
      throw new ConfigError(`${origin}: "${cidr}" is not a CIDR range (e.g. 127.0.0.1/32 or 10.0.0.0/8)`);
    }
  });
}

/** The configuration with secret values masked, for --print-config and start-up logs. */
export function maskConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as Array<[SettingKey, SettingSpec<unknown>]>) {
    const value = config[key];
    out[key] = spec.secret && value !== '' ? maskValue(key, String(value)) : value;
  }
  return out;
}

function maskValue(key: string, value: string): string {
  if (key === 'databaseUrl') {
    try {
      const url = new URL(value);
      if (url.password) url.password = '****';
      return url.toString();
    } catch {
      return '****';
    }
  }
  return '****';
}
