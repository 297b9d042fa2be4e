// `hookd`: the package's main entry, for running hookd inside your own Node process (tests,
// embedding). It is curated on purpose: named exports only, no `export *`, so what is public is
// written down here and an internal module can move without breaking users. Signing and receiving
// live in their own subpaths (`hookd/signature`, `hookd/receiver`) so an app that only verifies
// webhooks does not load the server (fastify, database drivers).
//
//   import { loadConfig, createLogger, createRuntime } from 'hookd';
//   const config = loadConfig({ env: process.env });
//   const runtime = await createRuntime({ config, logger: createLogger(config.logLevel) });
//   const url = await runtime.listen();

export { VERSION } from './runtime/version.js';

export { loadConfig, maskConfig, ConfigError, type ConfigSources } from './config/load-config.js';
export { SETTINGS, type Config, type SettingKey } from './config/settings.js';

export { createRuntime, type Runtime, type RuntimeOptions } from './runtime/create-runtime.js';
export { createLogger } from './runtime/logger.js';

export { HookdError, type FieldError } from './core/errors.js';
export { API_ERROR_CODES, type ApiErrorCode } from './core/error-codes.js';
export { ATTEMPT_CODES, type AttemptCode } from './core/attempt-codes.js';
export {
  DELIVERY_STATUSES,
  type Attempt,
  type AttemptOutcome,
  type Delivery,
  type DeliveryStatus,
  type DisabledReason,
  type Endpoint,
  type EndpointAuth,
  type EventRecord,
  type EventType,
  type PayloadFormat,
} from './core/types.js';
