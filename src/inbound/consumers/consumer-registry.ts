// URL scheme -> consumer kind, and the check of a source's `consume` member (API create/update).

import { HookdError } from '../../core/errors.js';
import type { ConsumeConfig } from '../../core/inbound-types.js';
import type { ConsumerKind } from './consumer.js';
import { amqpConsumer } from './amqp-consumer.js';
import { natsConsumer } from './nats-consumer.js';
import { mqttConsumer } from './mqtt-consumer.js';
import { redisConsumer } from './redis-consumer.js';

export const CONSUMER_KINDS: readonly ConsumerKind[] = [redisConsumer, amqpConsumer, natsConsumer, mqttConsumer];

export function consumerFor(protocol: string): ConsumerKind | undefined {
  return CONSUMER_KINDS.find((k) => k.protocols.includes(protocol));
}

/** A usable consume config, or validation_failed naming /body/consume/url. */
export function checkConsume(input: ConsumeConfig | null | undefined, path = '/body/consume'): ConsumeConfig | null {
  if (input === null || input === undefined) return null;
  const fail = (message: string): never => {
    throw new HookdError('validation_failed', `consume.url: ${message}`, { errors: [{ path: `${path}/url`, message }] });
  };
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return fail('is not a valid absolute URL');
  }
  const kind = consumerFor(url.protocol);
  if (kind === undefined) return fail(`sources consume from ${CONSUMER_KINDS.flatMap((k) => k.protocols).map((p) => p.replace(':', '')).join(', ')} URLs, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') return fail('holds credentials; give them as consume.username / consume.password so they are sealed');
  if (url.hostname === '') return fail('has no host');
  const bad = kind.check(url);
  if (bad !== null) return fail(`${kind.name}: ${bad}`);
  return { url: url.toString(), ...(input.username !== undefined ? { username: input.username } : {}), ...(input.password !== undefined ? { password: input.password } : {}) };
}
