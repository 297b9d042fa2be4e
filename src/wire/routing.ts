// Content filters and transformations (docs/routing.md).

import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, StringMap } from './primitives.js';

/** A transform as stored: custom code or a preset, with the version it got when saved. */
export const TransformModel = Type.Union(
  [
    Type.Object({ version: Type.Integer(), code: Type.String(), createdAt: IsoDate }, { additionalProperties: false }),
    Type.Object({ version: Type.Integer(), preset: Type.Enum(['slack', 'discord', 'teams']), createdAt: IsoDate }, { additionalProperties: false }),
  ],
  { title: 'Transform' },
);

/** A content filter (the JSON syntax of docs/routing.md): an object of paths and operators. */
export const FilterModel = Type.Record(Type.String(), Type.Unknown(), { title: 'Filter' });

export const FilterTestResultModel = Type.Object({ match: Type.Boolean(), reasons: Type.Array(Type.String()) }, { title: 'FilterTestResult', additionalProperties: false });

const OutgoingRequest = Type.Object(
  { url: Type.String(), method: Type.Literal('POST'), headers: StringMap, body: Type.String(), json: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);

export const TransformTestResultModel = Type.Object(
  {
    result: Type.Enum(['ok', 'unchanged', 'cancelled', 'error']),
    transform: Nullable(TransformModel),
    request: Nullable(OutgoingRequest),
    error: Type.Optional(Type.String()),
    durationMs: Type.Number(),
  },
  { title: 'TransformTestResult', additionalProperties: false },
);

export const TransformVersionsModel = Type.Object({ current: Nullable(TransformModel), previous: Type.Array(TransformModel) }, { title: 'TransformVersions', additionalProperties: false });

export type TransformView = Static<typeof TransformModel>;
export type FilterTestResultView = Static<typeof FilterTestResultModel>;
export type TransformTestResultView = Static<typeof TransformTestResultModel>;
export type TransformVersionsView = Static<typeof TransformVersionsModel>;
