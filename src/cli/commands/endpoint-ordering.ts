// `hookd endpoints ordering blocked|retry|skip|release <endpoint> [key]`: ordered delivery per key,
// operator side (docs/routing.md, "Ordering").

import type { Command } from 'commander';
import type { Page } from '../api-types.js';
import { contextOf, enc, pageHint, shortTime, withJson, withPaging } from '../command-kit.js';

interface BlockedKeyView {
  key: string;
  deliveryId: string;
  eventId: string;
  lastCode: string | null;
  lastStatus: number | null;
  blockedAt: string;
  waiting: number;
}

interface ActionView {
  action: string;
  key: string;
  deliveryId: string;
  cancelled: number;
}

const ACTIONS = {
  retry: 'Re-queue the blocked head of a key (fresh retry schedule); the rest of the key waits for it',
  skip: 'Leave the blocked head failed and send the next delivery of the key',
  release: 'Cancel every waiting delivery of the key and drop its block',
} as const;

export function registerEndpointOrdering(endpoints: Command): void {
  const group = endpoints.command('ordering').description('Ordered delivery per key: blocked keys and what to do with them');

  withPaging(withJson(group.command('blocked').description('List the blocked ordering keys of an endpoint').argument('<endpoint>', 'ep_...'))).action(
    async (endpoint: string, opts: { limit: number; cursor?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { body: page } = await ctx.client.get<Page<BlockedKeyView>>(`/v1/endpoints/${enc(endpoint)}/ordering/blocked`, { limit: opts.limit, cursor: opts.cursor });
      if (ctx.out.json) return ctx.out.document(page);
      if (page.data.length === 0) return ctx.out.note('no blocked keys');
      ctx.out.table(
        ['KEY', 'HEAD', 'LAST', 'WAITING', 'BLOCKED'],
        page.data.map((k) => [k.key, k.deliveryId, k.lastCode === null ? null : `${k.lastCode}${k.lastStatus === null ? '' : ` (${k.lastStatus})`}`, k.waiting, shortTime(k.blockedAt)]),
      );
      pageHint(ctx.out, page);
    },
  );

  for (const [action, description] of Object.entries(ACTIONS)) {
    withJson(group.command(action).description(description).argument('<endpoint>', 'ep_...').argument('<key>', 'the ordering key')).action(
      async (endpoint: string, key: string, _opts: unknown, cmd: Command) => {
        const ctx = contextOf(cmd);
        const { body } = await ctx.client.post<ActionView>(`/v1/endpoints/${enc(endpoint)}/ordering/${action}`, { key });
        if (ctx.out.json) return ctx.out.document(body);
        if (action === 'release') ctx.out.line(`released key ${JSON.stringify(key)}: ${body.cancelled} waiting deliveries cancelled`);
        else ctx.out.line(`${action === 'retry' ? 're-queued' : 'skipped'} ${body.deliveryId}, the head of key ${JSON.stringify(key)}`);
      },
    );
  }
}
