// `hookd signature sign|verify|keygen`: Standard Webhooks signatures computed locally (no server),
// over the exact bytes of a file or stdin. Useful to test a receiver with curl, or to check a
// captured request. `verify` exits 1 when the signature does not match (or the timestamp is outside
// the tolerance).
//
// Keys are told apart by their prefix, as the specification intends: `whsec_` is an HMAC secret (v1),
// `whsk_` an ed25519 signing key (v1a; verify derives its public key), `whpk_` a public key (verify
// only). `--key-set <url>` verifies v1a with a sender's published JWK Set instead.

import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { outputFor } from '../output.js';
import { QuietExit, UsageError } from '../errors.js';
import { intOption, readBodyArg } from '../input.js';
import {
  createKeySetVerifier,
  decodePublicKey,
  decodeSecret,
  decodeSigningKey,
  generateSigningKeyPair,
  KEY_ID_HEADER,
  PUBLIC_KEY_PREFIX,
  publicKeyOf,
  signatureHeader,
  signStandardWebhookV1a,
  SIGNING_KEY_PREFIX,
  verifyStandardWebhook,
  verifyStandardWebhookV1a,
  type VerifyFailure,
} from '../../signature/index.js';

interface SignFlags {
  secret: string[];
  id?: string;
  timestamp?: number;
  keyId?: string;
}

interface Keys {
  hmac: string[];
  signing: string[];
  public: string[];
}

function sortKeys(values: string[] | undefined): Keys {
  const keys: Keys = { hmac: [], signing: [], public: [] };
  for (const s of (values ?? []).flatMap((v) => v.split(/[\s,]+/)).filter((v) => v !== '')) {
    try {
      if (s.startsWith(SIGNING_KEY_PREFIX)) {
        decodeSigningKey(s);
        keys.signing.push(s);
      } else if (s.startsWith(PUBLIC_KEY_PREFIX)) {
        decodePublicKey(s);
        keys.public.push(s);
      } else {
        decodeSecret(s);
        keys.hmac.push(s);
      }
    } catch (err) {
      throw new UsageError(`--secret: ${(err as Error).message}`);
    }
  }
  return keys;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerSignature(program: Command): void {
  const group = program.command('signature').description('Sign and verify Standard Webhooks signatures locally (v1 HMAC and v1a ed25519; no server needed)');

  group
    .command('sign')
    .description('Print the webhook-id, webhook-timestamp and webhook-signature headers for a body')
    .argument('[body]', 'The body: a file, - for stdin, or inline JSON such as \'{"a":1}\' (default: stdin)', '-')
    .requiredOption('--secret <key>', 'whsec_ (v1) or whsk_ (v1a) key; repeat for a rotation or both schemes: one signature per key', collect)
    .option('--id <id>', 'webhook-id (default: msg_<random>)')
    .option('--timestamp <unix-seconds>', 'webhook-timestamp (default: now)', intOption(1, 32_503_680_000))
    .option('--key-id <kid>', 'Also print webhook-key-id (the kid of the whsk_ key in your key set)')
    .option('--json', 'Print the headers as a JSON object')
    .action(async (file: string, opts: SignFlags, cmd: Command) => {
      const out = outputFor(cmd);
      const keys = sortKeys(opts.secret);
      if (keys.public.length > 0) throw new UsageError('--secret: a whpk_ public key cannot sign; pass the whsk_ signing key.');
      const body = await readBodyArg(file);
      const id = opts.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
      const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
      const signatures = [
        ...(keys.hmac.length > 0 ? [signatureHeader(keys.hmac, id, timestamp, body)] : []),
        ...keys.signing.map((secretKey) => signStandardWebhookV1a({ id, timestamp, body, secretKey })),
      ];
      const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatures.join(' ') };
      if (opts.keyId !== undefined) headers[KEY_ID_HEADER] = opts.keyId;
      if (out.json) return out.document(headers);
      for (const [k, v] of Object.entries(headers)) out.line(`${k}: ${v}`);
    });

  group
    .command('verify')
    .description('Check a signature over a body; exit 0 when valid, 1 when not')
    .argument('[body]', 'The body: a file, - for stdin, or inline JSON (default: stdin)', '-')
    .option('--secret <key>', 'Accepted key: whsec_ (v1), whpk_ or whsk_ (v1a); repeatable (old and new during a rotation)', collect)
    .option('--key-set <url>', "Verify v1a with the sender's JWK Set (e.g. https://hookd.example/.well-known/webhooks/jwks.json?tenant=acme)")
    .requiredOption('--id <id>', 'webhook-id header')
    .requiredOption('--timestamp <unix-seconds>', 'webhook-timestamp header')
    .requiredOption('--signature <value>', 'webhook-signature header (v1,... and/or v1a,..., space-separated)')
    .option('--key-id <kid>', 'webhook-key-id header (with --key-set)')
    .option('--tolerance <seconds>', 'Accepted clock difference either way (default 300)', intOption(0, 315_360_000))
    .option('--ignore-timestamp', 'Check the signature only, not the age of webhook-timestamp (old captured requests, published test vectors)')
    .option('--json', 'Print the result as JSON')
    .action(async (file: string, opts: { secret?: string[]; keySet?: string; id: string; timestamp: string; signature: string; keyId?: string; tolerance?: number; ignoreTimestamp?: boolean }, cmd: Command) => {
      const out = outputFor(cmd);
      if (opts.ignoreTimestamp && opts.tolerance !== undefined) throw new UsageError('give --tolerance or --ignore-timestamp, not both');
      const keys = sortKeys(opts.secret);
      const publicKeys = [...keys.public, ...keys.signing.map(publicKeyOf)];
      if (keys.hmac.length === 0 && publicKeys.length === 0 && opts.keySet === undefined) throw new UsageError('Give --secret (whsec_, whpk_ or whsk_) or --key-set <url>.');
      let keySet = null;
      if (opts.keySet !== undefined) {
        try {
          keySet = createKeySetVerifier({ url: opts.keySet });
        } catch {
          throw new UsageError(`--key-set: not a URL: ${opts.keySet}`);
        }
      }
      const body = await readBodyArg(file);
      const headers: Record<string, string> = { 'webhook-id': opts.id, 'webhook-timestamp': opts.timestamp, 'webhook-signature': opts.signature };
      if (opts.keyId !== undefined) headers[KEY_ID_HEADER] = opts.keyId;
      // Skipping the age check = verifying "as of" the signed instant; the timestamp still has to be
      // a well-formed number, and it is still part of the signed content.
      const asOf = opts.ignoreTimestamp && /^\d{1,12}$/.test(opts.timestamp.trim()) ? Number(opts.timestamp.trim()) * 1000 : undefined;
      const window = { ...(opts.tolerance !== undefined ? { toleranceSeconds: opts.tolerance } : {}), ...(asOf !== undefined ? { now: asOf } : {}) };
      const timestampChecked = asOf === undefined;
      const failures: VerifyFailure[] = [];
      let result: { ok: true; id: string; timestamp: number; scheme: 'v1' | 'v1a' } | null = null;
      if (keys.hmac.length > 0) {
        const r = verifyStandardWebhook({ body, secrets: keys.hmac, headers, ...window });
        if (r.ok) result = { ...r, scheme: 'v1' };
        else failures.push(r);
      }
      if (result === null && publicKeys.length > 0) {
        const r = verifyStandardWebhookV1a({ body, publicKeys, headers, ...window });
        if (r.ok) result = { ok: true, id: r.id, timestamp: r.timestamp, scheme: 'v1a' };
        else failures.push(r);
      }
      if (result === null && keySet !== null) {
        const r = await keySet.verify({ body, headers, ...window });
        if (r.ok) result = { ok: true, id: r.id, timestamp: r.timestamp, scheme: 'v1a' };
        else failures.push(r);
      }
      const failure = failures.find((f) => f.code === 'timestamp_out_of_tolerance') ?? failures.find((f) => !/^No v1a? signature in/.test(f.message)) ?? failures[0];
      if (out.json) out.document(result ? { valid: true, id: result.id, timestamp: result.timestamp, scheme: result.scheme, timestampChecked } : { valid: false, code: failure!.code, message: failure!.message });
      else if (result) out.line(`${out.c.green('valid')} signature for ${result.id} at ${result.timestamp} (${result.scheme})${timestampChecked ? '' : ' (timestamp age not checked: --ignore-timestamp)'}`);
      else out.line(`${out.c.red('invalid')}: ${failure!.message} (${failure!.code})`);
      if (!result) throw new QuietExit(1);
    });

  group
    .command('keygen')
    .description('Print a new ed25519 key pair: whsk_ (keep secret, signs) and whpk_ (give to receivers)')
    .option('--json', 'Print the pair as JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const out = outputFor(cmd);
      const pair = generateSigningKeyPair();
      if (out.json) return out.document(pair);
      out.line(`secret key: ${pair.secretKey}`);
      out.line(`public key: ${pair.publicKey}`);
    });
}
