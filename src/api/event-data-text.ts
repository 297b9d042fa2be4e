// The exact JSON text of the `data` a request carries (core/json-text.ts says why it is not
// re-serialised). Undefined when the request has no raw JSON body or no such member; the publisher
// then serialises the parsed value, which is what it has.

import type { FastifyRequest } from 'fastify';
import { jsonTextsAt } from '../core/json-text.js';

export function dataTextsOf(request: FastifyRequest, path: ReadonlyArray<string>): Array<string | undefined> {
  if (request.bodyText === null) return [];
  return jsonTextsAt(request.bodyText, path);
}
