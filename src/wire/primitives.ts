// Building blocks of the wire models: the few shapes every answer repeats.

import Type, { type TSchema } from 'typebox';

export const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);

/** An instant as the API writes it: ISO 8601 in UTC with milliseconds (`new Date(ms).toISOString()`). */
export const IsoDate = Type.String({ format: 'date-time' });

export const StringMap = Type.Record(Type.String(), Type.String());

/** Facts whose members vary by case (a doctor check's detail, a problem's extras). */
export const Facts = Type.Record(Type.String(), Type.Unknown());

/** A page of a list: `nextCursor` is null on the last page. */
export const Page = <S extends TSchema>(item: S, title: string) =>
  Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) }, { title, additionalProperties: false });
