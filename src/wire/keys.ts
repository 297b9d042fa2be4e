// API keys, event types (the catalogue) and signing keys.

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, Page } from './primitives.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('tenant')]);

export const ApiKeyModel = Type.Object(
  { id: Type.String(), name: Nullable(Type.String()), role: Role, tenant: Nullable(Type.String()), prefix: Type.String(), createdAt: IsoDate, revokedAt: Nullable(IsoDate), lastUsedAt: Nullable(IsoDate) },
  { title: 'ApiKey', additionalProperties: false },
);
/** The create answer: the only time the key itself is shown. */
export const ApiKeyCreatedModel = Type.Object(
  { id: Type.String(), key: Type.String(), name: Nullable(Type.String()), role: Role, tenant: Nullable(Type.String()), createdAt: IsoDate },
  { title: 'ApiKeyCreated', additionalProperties: false },
);

export const EventTypeModel = Type.Object(
  { name: Type.String(), description: Nullable(Type.String()), schema: Nullable(Type.Unknown()), example: Type.Unknown(), createdAt: IsoDate, updatedAt: IsoDate },
  { title: 'EventType', additionalProperties: false },
);

/** What `hookd trigger` publishes: the type's example, else data generated from its schema, else {}. */
export const EventTypeSampleModel = Type.Object(
  { type: Type.String(), source: Type.Enum(['example', 'schema', 'empty']), data: Type.Unknown() },
  { title: 'EventTypeSample', additionalProperties: false },
);

export const SigningKeyModel = Type.Object(
  {
    id: Type.String(),
    tenant: Nullable(Type.String()),
    generation: Type.Integer(),
    state: Type.Enum(['next', 'active', 'retiring', 'retired']),
    publicKey: Type.String(),
    createdAt: IsoDate,
    signsFrom: IsoDate,
    retiresAt: Nullable(IsoDate),
    ageSeconds: Type.Integer(),
  },
  { title: 'SigningKey', additionalProperties: false },
);
const groupProps = { tenant: Nullable(Type.String()), keySetUrl: Type.String(), nextRotationAt: Nullable(IsoDate), keys: Type.Array(SigningKeyModel) };
export const SigningKeyGroupModel = Type.Object(groupProps, { title: 'SigningKeyGroup', additionalProperties: false });
/** POST /v1/signing-keys/rotate when the tenant had no key yet: an empty group. */
export const RotatedKeysModel = Type.Union([SigningKeyGroupModel, Type.Object({ tenant: Nullable(Type.String()), keys: Type.Array(SigningKeyModel, { maxItems: 0 }) }, { additionalProperties: false })], {
  title: 'RotatedKeys',
});
export const SigningKeyListModel = Type.Object(
  {
    data: Type.Array(SigningKeyGroupModel),
    policy: Type.Object({ overlapSeconds: Type.Number(), publishLeadSeconds: Type.Number(), rotationDays: Type.Number() }, { additionalProperties: false }),
  },
  { title: 'SigningKeyList', additionalProperties: false },
);
export const JwksModel = Type.Object(
  { keys: Type.Array(Type.Object({ kty: Type.Literal('OKP'), crv: Type.Literal('Ed25519'), x: Type.String(), kid: Type.String() }, { additionalProperties: true })) },
  { title: 'Jwks', additionalProperties: false },
);

export const ApiKeyPageModel = Page(ApiKeyModel, 'ApiKeyPage');
export const EventTypePageModel = Page(EventTypeModel, 'EventTypePage');

export type ApiKeyView = Static<typeof ApiKeyModel>;
export type ApiKeyCreatedView = Static<typeof ApiKeyCreatedModel>;
export type EventTypeView = Static<typeof EventTypeModel>;
export type EventTypeSampleView = Static<typeof EventTypeSampleModel>;
export type SigningKeyView = Static<typeof SigningKeyModel>;
export type SigningKeyGroupView = Static<typeof SigningKeyGroupModel>;
export type SigningKeyListView = Static<typeof SigningKeyListModel>;
export type JwksView = Static<typeof JwksModel>;
