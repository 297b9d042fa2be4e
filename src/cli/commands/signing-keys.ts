// `hookd signing-keys list|rotate`: the tenants' ed25519 keys (v1a), their ages, states and the next
// rotation. Only public keys are ever shown; the private keys never leave the server.

import type { Command } from 'commander';
import type { SigningKeyGroup } from '../api-types.js';
import { contextOf, shortTime, withJson } from '../command-kit.js';

function age(seconds: number): string {
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

export function registerSigningKeys(program: Command): void {
  const group = program.command('signing-keys').description('ed25519 signing keys per tenant (v1a signatures, the public key set)');

  withJson(group.command('list').description('Keys with their state, age and the next rotation').option('--tenant <tenant>', 'Only this tenant')).action(
    async (opts: { tenant?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { body } = await ctx.client.get<{ data: SigningKeyGroup[]; policy: Record<string, number> }>('/v1/signing-keys', opts.tenant !== undefined ? { tenant: opts.tenant } : {});
      if (ctx.out.json) return ctx.out.document(body);
      ctx.out.table(
        ['TENANT', 'KEY ID', 'STATE', 'AGE', 'SIGNS FROM', 'RETIRES', 'NEXT ROTATION'],
        body.data.flatMap((g) => g.keys.map((k) => [g.tenant ?? '(none)', k.id, k.state, age(k.ageSeconds), shortTime(k.signsFrom), shortTime(k.retiresAt), shortTime(g.nextRotationAt)])),
      );
      for (const g of body.data) ctx.out.note(`key set of ${g.tenant ?? '(no tenant)'}: ${g.keySetUrl}`);
    },
  );

  withJson(group.command('rotate').description('Publish a new key now; it signs after the publish lead, the old one retires after the overlap').option('--tenant <tenant>', 'The tenant (default: events without a tenant; a tenant key: its own)')).action(
    async (opts: { tenant?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { body } = await ctx.client.post<SigningKeyGroup>('/v1/signing-keys/rotate', opts.tenant !== undefined ? { tenant: opts.tenant } : {});
      if (ctx.out.json) return ctx.out.document(body);
      const next = body.keys.find((k) => k.state === 'next');
      ctx.out.line(`published ${next?.id ?? '(none)'}; it signs from ${shortTime(next?.signsFrom)}`);
      for (const k of body.keys.filter((x) => x.state === 'retiring')) ctx.out.line(`${k.id} retires at ${shortTime(k.retiresAt)}`);
    },
  );
}
