// Output conventions (spec section 9): human tables by default, `--json` for exactly one JSON document
// on stdout, NDJSON for streams, diagnostics on stderr.
//
// Colour is decided once here, from --no-color, NO_COLOR, FORCE_COLOR and whether the stream is a
// terminal, and handed to picocolors' createColors(). picocolors' own detection is never used: it
// turns colour on when CI=true even when piped. cli-table3 always gets an empty style (it would
// colour headers and borders even when piped); headers are coloured by us, when colour is on.

import Table from 'cli-table3';
import pc from 'picocolors';
import type { Command } from 'commander';

export type Colors = ReturnType<typeof pc.createColors>;

export interface ColorInputs {
  /** false when --no-color was given. */
  flag: boolean | undefined;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

export function decideColor({ flag, env, isTTY }: ColorInputs): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}

// Methods are declared as function-valued properties: they are passed around unbound (narrator).
export interface Output {
  readonly json: boolean;
  /** Colours for stdout. */
  readonly c: Colors;
  /** Colours for stderr. */
  readonly ec: Colors;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** One JSON document on stdout. */
  document: (value: unknown) => void;
  /** One NDJSON line on stdout. */
  ndjson: (value: unknown) => void;
  /** A line of human output on stdout. */
  line: (text?: string) => void;
  /** A diagnostic line on stderr. */
  note: (text: string) => void;
  table: (head: string[], rows: Array<Array<string | number | null | undefined>>) => void;
  /** A single object as "key  value" lines. */
  fields: (pairs: Array<[string, unknown]>) => void;
}

export interface OutputOptions {
  json?: boolean | undefined;
  color?: boolean | undefined;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

const PLAIN_CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '',
  right: '', 'right-mid': '', middle: '  ',
};

export function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

// eslint-disable-next-line no-control-regex -- ANSI colour sequences start with ESC
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (text: string): number => text.replace(ANSI, '').length;

/** On a terminal, wrap the last column (messages, URLs) to the window instead of breaking the box. */
function wrapLastColumn(head: string[], rows: string[][], columns: number | undefined): { colWidths?: Array<number | null>; wordWrap?: boolean } {
  if (!columns || head.length === 0) return {};
  const widths = head.map((h, i) => Math.max(visible(h), ...rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map(visible)))) + 2);
  const others = widths.slice(0, -1).reduce((a, b) => a + b, 0) + head.length + 1;
  const last = widths[widths.length - 1]!;
  if (others + last <= columns) return {};
  return { colWidths: [...widths.slice(0, -1).map(() => null), Math.max(20, columns - others)], wordWrap: true };
}

export function createOutput(options: OutputOptions = {}): Output {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const stdoutIsTTY = stdout.isTTY === true;
  const stderrIsTTY = stderr.isTTY === true;
  const c = pc.createColors(decideColor({ flag: options.color, env, isTTY: stdoutIsTTY }));
  const ec = pc.createColors(decideColor({ flag: options.color, env, isTTY: stderrIsTTY }));
  const json = options.json === true;
  return {
    json,
    c,
    ec,
    stdoutIsTTY,
    stderrIsTTY,
    document: (value) => stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    ndjson: (value) => stdout.write(`${JSON.stringify(value)}\n`),
    line: (text = '') => stdout.write(`${text}\n`),
    note: (text) => stderr.write(`${text}\n`),
    table(head, rows) {
      // Boxed on a terminal; plain aligned columns when piped, which grep and awk read well.
      const cells = rows.map((row) => row.map(cell));
      const table = new Table({
        head: head.map((h) => c.bold(h)),
        style: { head: [], border: [], compact: true, 'padding-left': stdoutIsTTY ? 1 : 0, 'padding-right': stdoutIsTTY ? 1 : 0 },
        ...(stdoutIsTTY ? wrapLastColumn(head, cells, stdout.columns) : { chars: PLAIN_CHARS }),
      });
      for (const row of cells) table.push(row);
      const text = table.toString();
      stdout.write(`${stdoutIsTTY ? text : text.split('\n').map((l) => l.trimEnd()).join('\n')}\n`);
    },
    fields(pairs) {
      const width = Math.max(0, ...pairs.map(([k]) => k.length));
      for (const [k, v] of pairs) stdout.write(`${c.bold(k.padEnd(width))}  ${cell(v)}\n`);
    },
  };
}

/** The output of a command: its own --json plus the global --no-color. */
export function outputFor(cmd: Command): Output {
  const opts = cmd.optsWithGlobals<{ json?: boolean; color?: boolean }>();
  return createOutput({ json: opts.json, color: opts.color });
}

/** The status words of the doctor and deliveries, coloured. */
export function colorStatus(c: Colors, status: string): string {
  switch (status) {
    case 'pass':
    case 'succeeded':
    case 'ok':
    case 'enabled':
      return c.green(status);
    case 'warn':
    case 'pending':
    case 'sending':
      return c.yellow(status);
    case 'fail':
    case 'failed':
    case 'disabled':
      return c.red(status);
    default:
      return c.dim(status);
  }
}

export function colorHttpStatus(c: Colors, status: number | null | undefined): string {
  if (status === null || status === undefined) return c.red('---');
  const text = String(status);
  if (status >= 200 && status < 300) return c.green(text);
  if (status >= 500) return c.red(text);
  return c.yellow(text);
}
