// Parsing what the user typed: JSON from --data (inline, @file or @- for stdin), times (ISO 8601 or
// relative like 2h / 3d), comma lists, header pairs and endpoint auth flags.

import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { parseJson } from '../core/json-syntax.js';
import { CliError, UsageError } from './errors.js';

/**
 * A secret named by an environment variable (`--x-env VAR`): a command line ends up in shell history
 * and in every process list on the machine, the environment does not. Empty or unset is a usage error.
 */
export function secretFromEnv(flag: string, variable: string): string {
  const value = process.env[variable];
  if (!value) throw new UsageError(`${flag} ${variable}: that environment variable is empty or unset`);
  return value;
}

/**
 * A secret flag's value: `--name VALUE` as typed, or `--name-env VAR` read from the environment, so
 * the secret stays out of shell history and `ps`. Both at once is a usage error.
 */
export function secretFlag(flag: string, value: string | undefined, variable: string | undefined): string | undefined {
  if (value !== undefined && variable !== undefined) throw new UsageError(`give ${flag} or ${flag}-env, not both`);
  return variable !== undefined ? secretFromEnv(`${flag}-env`, variable) : value;
}

export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The bytes of a file, or of stdin for "-". */
export async function readBytes(path: string): Promise<Buffer> {
  if (path === '-') return readStdin();
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1, { cause: err });
  }
}

/**
 * A body argument: "-" for stdin, a file, or (when no such file exists) the argument itself as
 * inline JSON, byte for byte as typed: `hookd signature sign --secret ... '{"a":1}'`. With
 * `allowInvalidJson`, text that merely looks like JSON ({ or [ first) is taken inline too, so the
 * doctor can report where it breaks.
 */
export async function readBodyArg(arg: string, options: { allowInvalidJson?: boolean } = {}): Promise<Buffer> {
  if (arg === '-' || existsSync(arg)) return readBytes(arg);
  const inline = parseJson(arg).ok || (options.allowInvalidJson === true && /^\s*[[{]/.test(arg));
  if (inline) return Buffer.from(arg, 'utf8');
  throw new CliError(`cannot read ${arg}: no such file, and it is not inline JSON either (give a file, - for stdin, or a JSON text such as '{"a":1}')`, 1);
}

/** --data: inline JSON, @file, or @- (stdin). Syntax errors name the line and column. */
export async function readJsonArg(value: string, flag = '--data'): Promise<unknown> {
  const fromFile = value.startsWith('@');
  const text = fromFile ? (await readBytes(value.slice(1))).toString('utf8') : value;
  const where = fromFile ? value.slice(1) : flag;
  const parsed = parseJson(text);
  if (!parsed.ok) throw new UsageError(`${where} is not valid JSON: ${parsed.error.message}`);
  return parsed.value;
}

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** ISO 8601 or a duration ago ("90m", "2h", "7d"); returns epoch ms. */
export function parseTimeArg(value: string, now = Date.now()): number {
  const rel = RELATIVE.exec(value.trim());
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!.toLowerCase()]!;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new InvalidArgumentError(`"${value}" is not a time: use ISO 8601 (2026-05-20T15:30:00Z) or a duration ago (30m, 2h, 7d)`);
}

export const timeOption = (value: string): number => parseTimeArg(value);

export function listOption(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
}

const EVENT_TYPE_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * `-e, --events <types>` on every command that filters or subscribes by event type (listen, tail,
 * endpoints create/update): a comma list, repeatable; a name the server would refuse fails here with
 * the rule (exit 2), not later as a 400 or a filter that silently matches nothing.
 */
export function eventTypesOption(value: string, previous: string[] = []): string[] {
  const list = listOption(value, previous);
  const bad = list.filter((name) => !EVENT_TYPE_NAME.test(name));
  if (list.length === previous.length) throw new InvalidArgumentError('give at least one event type, e.g. chat.started,call.ended');
  if (bad.length > 0) throw new InvalidArgumentError(`${bad.map((b) => JSON.stringify(b)).join(', ')}: event types use letters, digits, "_", "." and "-" (1-128 characters), comma-separated, e.g. chat.started,call.ended`);
  return list;
}

/** A flag with a fixed set of values: anything else names the allowed ones (exit 2). */
export function choiceOption<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    const v = value.trim() as T;
    if (!allowed.includes(v)) throw new InvalidArgumentError(`"${value}" is not one of ${allowed.join(', ')}`);
    return v;
  };
}

export function intOption(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an integer`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`must be from ${min} to ${max}`);
    return n;
  };
}

/** Repeatable "Name: value" (or "Name=value") header flags. */
export function headerOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const m = /^([^:=\s]+)\s*[:=]\s*(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`"${value}" is not a header: use "Name: value"`);
  return { ...previous, [m[1]!]: m[2]! };
}

/**
 * A "Name: value" header held by an environment variable (`--header-env`, `--auth-header-env`). A
 * malformed one is refused without echoing it: the value is the secret.
 */
export function headerFromEnv(flag: string, variable: string, previous: Record<string, string> = {}): Record<string, string> {
  const value = secretFromEnv(flag, variable);
  try {
    return headerOption(value, previous);
  } catch {
    throw new UsageError(`${flag} ${variable}: that environment variable does not hold a header; it must be "Name: value"`);
  }
}

export interface AuthFlags {
  authBearer?: string;
  authBearerEnv?: string;
  authBasic?: string;
  authBasicEnv?: string;
  authHeader?: string;
  authHeaderEnv?: string;
  authNone?: boolean;
}

/** The -env twins of the --auth-* flags authFromFlags reads. */
export function addAuthEnvFlags(cmd: Command): Command {
  return cmd
    .option('--auth-bearer-env <var>', 'As --auth-bearer, the token read from this environment variable (kept out of shell history and ps)')
    .option('--auth-basic-env <var>', 'As --auth-basic, user:password read from this environment variable')
    .option('--auth-header-env <var>', 'As --auth-header, "Name: value" read from this environment variable');
}

/** --auth-bearer TOKEN | --auth-basic user:pass | --auth-header "Name: value" (each or its -env twin) | --auth-none. */
export function authFromFlags(flags: AuthFlags): Record<string, string> | undefined {
  const bearer = secretFlag('--auth-bearer', flags.authBearer, flags.authBearerEnv);
  const basic = secretFlag('--auth-basic', flags.authBasic, flags.authBasicEnv);
  if (flags.authHeader !== undefined && flags.authHeaderEnv !== undefined) throw new UsageError('give --auth-header or --auth-header-env, not both');
  const header = flags.authHeaderEnv !== undefined ? Object.entries(headerFromEnv('--auth-header-env', flags.authHeaderEnv))[0]! : flags.authHeader !== undefined ? Object.entries(headerOption(flags.authHeader))[0]! : undefined;
  const given = [bearer, basic, header, flags.authNone ? 'none' : undefined].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('give at most one of --auth-bearer, --auth-basic, --auth-header, --auth-none');
  if (bearer !== undefined) return { type: 'bearer', token: bearer };
  if (basic !== undefined) {
    const i = basic.indexOf(':');
    if (i <= 0) throw new UsageError('--auth-basic takes user:password');
    return { type: 'basic', username: basic.slice(0, i), password: basic.slice(i + 1) };
  }
  if (header !== undefined) return { type: 'header', name: header[0], value: header[1] };
  if (flags.authNone) return { type: 'none' };
  return undefined;
}
