// `hookd signature sign|verify`: Standard Webhooks signatures computed locally (no server), over the
// exact bytes of a file or stdin. Useful to test a receiver with curl, or to check a captured request.
// `verify` exits 1 when the signature does not match (or the timestamp is outside the tolerance).

import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { outputFor } from '../output.js';
import { QuietExit, UsageError } from '../errors.js';
import { intOption, readBodyArg } from '../input.js';
import { decodeSecret, signatureHeader, verifyStandardWebhook } from '../../signature/index.js';

interface SignFlags {
  secret: string[];
  id?: string;
  timestamp?: number;
}

function secretList(values: string[]): string[] {
  const list = values.flatMap((v) => v.split(/[\s,]+/)).filter((s) => s !== '');
  for (const s of list) {
    try {
      decodeSecret(s);
    } catch (err) {
      throw new UsageError(`--secret: ${(err as Error).message}`);
    }
  }
  return list;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerSignature(program: Command): void {
  const group = program.command('signature').description('Sign and verify Standard Webhooks signatures locally (no server needed)');

  group
    .command('sign')
    .description('Print the webhook-id, webhook-timestamp and webhook-signature headers for a body')
    .argument('[body]', 'The body: a file, - for stdin, or inline JSON such as \'{"a":1}\' (default: stdin)', '-')
    .requiredOption('--secret <whsec>', 'Signing secret (repeat for a rotation: one signature per secret)', collect)
    .option('--id <id>', 'webhook-id (default: msg_<random>)')
    .option('--timestamp <unix-seconds>', 'webhook-timestamp (default: now)', intOption(1, 32_503_680_000))
    .option('--json', 'Print the headers as a JSON object')
    .action(async (file: string, opts: SignFlags, cmd: Command) => {
      const out = outputFor(cmd);
      const secrets = secretList(opts.secret);
      const body = await readBodyArg(file);
      const id = opts.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
      const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets, id, timestamp, body) };
      if (out.json) return out.document(headers);
      for (const [k, v] of Object.entries(headers)) out.line(`${k}: ${v}`);
    });

  group
    .command('verify')
    .description('Check a signature over a body; exit 0 when valid, 1 when not')
    .argument('[body]', 'The body: a file, - for stdin, or inline JSON (default: stdin)', '-')
    .requiredOption('--secret <whsec>', 'Accepted secret (repeatable: old and new during a rotation)', collect)
    .requiredOption('--id <id>', 'webhook-id header')
    .requiredOption('--timestamp <unix-seconds>', 'webhook-timestamp header')
    .requiredOption('--signature <value>', 'webhook-signature header (v1,... possibly several, space-separated)')
    .option('--tolerance <seconds>', 'Accepted clock difference either way, in seconds (default: 300)', intOption(0, 315_360_000))
    .option('--ignore-timestamp', 'Check the signature only, not the age of webhook-timestamp (old captured requests, published test vectors)')
    .option('--json', 'Print the result as JSON')
    .action(async (file: string, opts: { secret: string[]; id: string; timestamp: string; signature: string; tolerance?: number; ignoreTimestamp?: boolean }, cmd: Command) => {
      const out = outputFor(cmd);
      if (opts.ignoreTimestamp && opts.tolerance !== undefined) throw new UsageError('give --tolerance or --ignore-timestamp, not both');
      const secrets = secretList(opts.secret);
      const body = await readBodyArg(file);
      // Skipping the age check = verifying "as of" the signed instant; the timestamp still has to be
      // a well-formed number, and it is still part of the signed content.
      const asOf = opts.ignoreTimestamp && /^\d{1,12}$/.test(opts.timestamp.trim()) ? Number(opts.timestamp.trim()) * 1000 : undefined;
      const result = verifyStandardWebhook({
        body,
        secrets,
        headers: { 'webhook-id': opts.id, 'webhook-timestamp': opts.timestamp, 'webhook-signature': opts.signature },
        ...(opts.tolerance !== undefined ? { toleranceSeconds: opts.tolerance } : {}),
        ...(asOf !== undefined ? { now: asOf } : {}),
      });
      const timestampChecked = asOf === undefined;
      if (out.json) out.document(result.ok ? { valid: true, id: result.id, timestamp: result.timestamp, timestampChecked } : { valid: false, code: result.code, message: result.message });
      else if (result.ok) out.line(`${out.c.green('valid')} signature for ${result.id} at ${result.timestamp}${timestampChecked ? '' : ' (timestamp age not checked: --ignore-timestamp)'}`);
      else out.line(`${out.c.red('invalid')}: ${result.message} (${result.code})`);
      if (!result.ok) throw new QuietExit(1);
    });
}
