// The broker drivers hookd ships. A new one (Kafka, SQS, Pub/Sub) is added here once it can be
// tested against a real server.

import { createAmqpDriver } from './amqp-driver.js';
import type { DestinationDriver } from './destination.js';
import { createMqttDriver } from './mqtt-driver.js';
import { createNatsDriver } from './nats-driver.js';
import { createRedisDriver } from './redis-driver.js';

export function createBrokerDrivers(): DestinationDriver[] {
  return [createAmqpDriver(), createNatsDriver(), createMqttDriver(), createRedisDriver()] as DestinationDriver[];
}

export { createDestinationRegistry, createDestinationSender, type DestinationRegistry } from './registry.js';
export { DestinationError, isHttpUrl, type DestinationDriver } from './destination.js';
