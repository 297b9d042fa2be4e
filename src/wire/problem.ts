// The error answer of every route (RFC 9457 problem+json, spec section 9).

import Type, { type Static } from 'typebox';

export const FieldErrorModel = Type.Object({ path: Type.String(), message: Type.String() }, { additionalProperties: false });

/** Extra members (retryAfter, eventId, line/column ...) are allowed: each error code documents its own. */
export const ProblemModel = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorModel)),
    requestId: Type.Optional(Type.String()),
  },
  { title: 'Problem', additionalProperties: true },
);
export type ProblemView = Static<typeof ProblemModel>;
export type FieldErrorView = Static<typeof FieldErrorModel>;
