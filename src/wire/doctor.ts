// The doctor's report (spec section 8), the same for an endpoint, a URL and a payload.

import Type, { type Static } from 'typebox';
import { Facts } from './primitives.js';

export const DoctorCheckModel = Type.Object(
  {
    step: Type.String(),
    status: Type.Union([Type.Literal('pass'), Type.Literal('warn'), Type.Literal('fail'), Type.Literal('skip')]),
    code: Type.String(),
    message: Type.String(),
    detail: Facts,
    durationMs: Type.Number(),
  },
  { title: 'DoctorCheck', additionalProperties: false },
);

export const DoctorReportModel = Type.Object(
  {
    target: Type.String(),
    ok: Type.Boolean(),
    checks: Type.Array(DoctorCheckModel),
    diagnosis: Type.Object({ code: Type.String(), summary: Type.String(), fix: Type.String() }, { additionalProperties: false }),
  },
  { title: 'DoctorReport', additionalProperties: false },
);

export type DoctorCheckView = Static<typeof DoctorCheckModel>;
export type DoctorReportView = Static<typeof DoctorReportModel>;
