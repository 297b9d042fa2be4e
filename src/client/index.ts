// The public entry of hookd/client (package.json "exports"): the client, its errors, the pagination
// helper, and the wire types of every answer.

export { HookdClient, paginate, type PageOf } from './hookd-client.js';
export { HookdNetworkError, HookdProblemError, reasonOf } from './errors.js';
export { Transport, retryAfterMs, type ApiAnswer, type CallOptions, type Query, type TransportOptions } from './transport.js';
export { OPERATIONS, type Operation, type OperationName } from './operations.js';
export type * from './inputs.js';
export type * from '../wire/index.js';
