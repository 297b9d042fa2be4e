// The API's wire models, declared once. The server uses them as Fastify response schemas (so
// /openapi.json documents every answer, and tests check each answer against them); render.ts is typed
// by them; hookd/client and the CLI read their types. Only `typebox` is imported here, so the client
// (which imports nothing but types from this folder) stays dependency-free.

export * from './primitives.js';
export * from './problem.js';
export * from './endpoint.js';
export * from './event.js';
export * from './delivery.js';
export * from './source.js';
export * from './keys.js';
export * from './doctor.js';
export * from './meta.js';
export * from './routing.js';
export * from './ordering.js';
export * from './audit.js';
export * from './alerts.js';
export * from './bin.js';
