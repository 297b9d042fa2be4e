// The audit log (docs/operations.md, "Audit log").

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, Page } from './primitives.js';

export const AuditRecordModel = Type.Object(
  {
    id: Type.String(),
    at: IsoDate,
    actor: Type.Object({ kind: Type.String(), id: Type.String(), name: Nullable(Type.String()) }, { additionalProperties: false }),
    tenant: Nullable(Type.String()),
    requestId: Nullable(Type.String()),
    /** `<thing>.<verb>`: endpoint.update, secret.rotate ... */
    action: Type.String(),
    target: Nullable(Type.String()),
    /** The change as requested (params, query and body), secrets redacted. */
    diff: Type.Unknown(),
  },
  { title: 'AuditRecord', additionalProperties: false },
);
export const AuditPageModel = Page(AuditRecordModel, 'AuditPage');

export type AuditRecordView = Static<typeof AuditRecordModel>;
