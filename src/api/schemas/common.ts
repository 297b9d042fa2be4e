// JSON schemas shared by routes. They validate requests and generate the OpenAPI document.

export const idParams = (name = 'id') =>
  ({
    type: 'object',
    required: [name],
    properties: { [name]: { type: 'string', minLength: 1, maxLength: 128 } },
  }) as const;

export const pageQueryProps = {
  limit: { type: 'integer', minimum: 1, maximum: 250, default: 50 },
  cursor: { type: 'string', maxLength: 512 },
} as const;

export const tenantSchema = { type: ['string', 'null'], minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:@-]+$' } as const;

export const isoDate = { type: 'string', format: 'date-time' } as const;
