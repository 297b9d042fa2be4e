// `hookd trigger <type> [--tenant t] [--set path=value ...]`: publish a realistic event of a catalogued
// type in one command, like `stripe trigger`. The data is the catalogue's example, or one generated
// from the type's JSON Schema when there is no example; --set changes single fields of it.

import type { Command } from 'commander';
import { exampleFromSchema } from '../../core/example-from-schema.js';
import { parseAssignment, setPath, SetPathError, type PathAssignment } from '../../core/set-path.js';
import type { PublishView } from '../api-types.js';
import { contextOf, enc, withJson } from '../command-kit.js';
import { ApiError, CliError, UsageError } from '../errors.js';

interface TriggerFlags {
  tenant?: string;
  set: string[];
  dryRun?: boolean;
}

interface CataloguedType {
  name: string;
  schema: Record<string, unknown> | null;
  example: unknown;
}

/** The data a trigger publishes: example (or generated from the schema), then every --set in order. */
export function triggerData(type: CataloguedType, sets: readonly PathAssignment[]): { data: unknown; source: 'example' | 'schema' | 'empty' } {
  let data: unknown;
  let source: 'example' | 'schema' | 'empty';
  if (type.example !== null && type.example !== undefined) [data, source] = [type.example, 'example'];
  else if (type.schema) [data, source] = [exampleFromSchema(type.schema), 'schema'];
  else [data, source] = [{}, 'empty'];
  for (const s of sets) data = setPath(data, s);
  return { data, source };
}

export function registerTrigger(program: Command): void {
  withJson(
    program
      .command('trigger')
      .description("Publish the catalogue's example of an event type (or one generated from its schema)")
      .argument('<type>', 'A catalogued event type, e.g. chat.started')
      .option('--tenant <tenant>', "Deliver only to this tenant's endpoints")
      .option('--set <path=value>', 'Change one field (repeatable): customer.name=Ada, items[0].qty=2, flag=true', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--dry-run', 'Print the data that would be published and publish nothing'),
  ).action(async (type: string, opts: TriggerFlags, cmd: Command) => {
    let sets: PathAssignment[];
    try {
      sets = opts.set.map(parseAssignment);
    } catch (err) {
      if (err instanceof SetPathError) throw new UsageError(`--set: ${err.message}`);
      throw err;
    }
    const ctx = contextOf(cmd);
    let known: CataloguedType;
    try {
      known = (await ctx.client.get<CataloguedType>(`/v1/event-types/${enc(type)}`)).body;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new CliError(`${type} is not in the catalogue: add it (PUT /v1/event-types/${type}) or publish free-form data with \`hookd send ${type} --data ...\``, 1);
      throw err;
    }
    let result: ReturnType<typeof triggerData>;
    try {
      result = triggerData(known, sets);
    } catch (err) {
      if (err instanceof SetPathError) throw new UsageError(`--set: ${err.message}`);
      throw err;
    }
    if (opts.dryRun) {
      if (ctx.out.json) return ctx.out.document({ type, tenant: opts.tenant ?? null, data: result.data, source: result.source });
      ctx.out.note(`would publish ${type} (data from the ${result.source === 'schema' ? 'schema' : result.source === 'example' ? 'example' : 'empty default'}):`);
      return ctx.out.line(JSON.stringify(result.data, null, 2));
    }
    const body: Record<string, unknown> = { type, data: result.data };
    if (opts.tenant !== undefined) body.tenant = opts.tenant;
    const { body: res } = await ctx.client.post<PublishView>('/v1/events', body);
    if (ctx.out.json) return ctx.out.document({ ...res, source: result.source, data: result.data });
    const to = `${res.deliveries} endpoint${res.deliveries === 1 ? '' : 's'}`;
    ctx.out.line(`triggered ${res.id} (${res.type}, data from the ${result.source}) to ${to}`);
    if (res.deliveries === 0) ctx.out.note(ctx.out.ec.yellow('no endpoint is subscribed to this type (and tenant): nothing will be delivered'));
  });
}
