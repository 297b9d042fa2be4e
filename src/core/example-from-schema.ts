// A plausible example value from a JSON Schema (2020-12), for `hookd trigger` and the dashboard's
// "trigger" button when the catalogue has a schema but no example. Pure and bounded: it follows
// local $refs ("#/$defs/x") only, stops at a fixed depth, and prefers what the schema author wrote
// (const, examples, default, enum) over anything made up, so the result usually passes the schema.

type Schema = Record<string, unknown>;

const MAX_DEPTH = 12;
const MAX_ITEMS = 3;

export function exampleFromSchema(schema: unknown): unknown {
  return generate(schema, isObject(schema) ? schema : {}, 0, 'value');
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "#/$defs/money" in the root schema; anything else (remote refs) is not followed. */
function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return isObject(node) ? node : undefined;
}

function generate(schemaIn: unknown, root: Schema, depth: number, name: string): unknown {
  if (schemaIn === true || schemaIn === undefined) return name === 'value' ? {} : `example ${name}`;
  if (!isObject(schemaIn) || depth > MAX_DEPTH) return null;
  let schema = schemaIn;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    if (target) schema = { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) };
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    // Merge object parts (the common use of allOf); the first part decides anything else.
    const parts = schema.allOf.map((s) => generate(s, root, depth + 1, name));
    if (parts.every(isObject)) return Object.assign({}, ...parts, objectFrom(schema, root, depth, true));
    return parts[0];
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return generate(options[0], root, depth + 1, name);
  }
  const type = pickType(schema);
  switch (type) {
    case 'object':
      return objectFrom(schema, root, depth, false);
    case 'array': {
      const min = typeof schema.minItems === 'number' ? Math.min(schema.minItems, MAX_ITEMS) : 1;
      const items = schema.items === undefined ? {} : schema.items;
      const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
      const out: unknown[] = prefix.map((s) => generate(s, root, depth + 1, name));
      for (let i = out.length; i < Math.max(min, 1) && items !== false; i++) out.push(generate(items, root, depth + 1, name));
      return out;
    }
    case 'string':
      return stringFrom(schema, name);
    case 'integer':
    case 'number':
      return numberFrom(schema, type);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return `example ${name}`;
  }
}

function pickType(schema: Schema): string | undefined {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return (t.find((x) => x !== 'null') ?? t[0]) as string | undefined;
  if (isObject(schema.properties) || schema.required !== undefined) return 'object';
  if (schema.items !== undefined || schema.prefixItems !== undefined) return 'array';
  return undefined;
}

function objectFrom(schema: Schema, root: Schema, depth: number, partial: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = isObject(schema.properties) ? schema.properties : {};
  // Every declared property: an example shows the whole shape, not only the required minimum.
  for (const [key, sub] of Object.entries(props)) {
    if (key === '__proto__') continue;
    out[key] = generate(sub, root, depth + 1, key);
  }
  if (!partial && Array.isArray(schema.required)) {
    for (const key of schema.required) if (typeof key === 'string' && key !== '__proto__' && !(key in out)) out[key] = `example ${key}`;
  }
  return out;
}

function stringFrom(schema: Schema, name: string): string {
  const byFormat: Record<string, string> = {
    'date-time': '2026-01-01T12:00:00Z',
    date: '2026-01-01',
    time: '12:00:00Z',
    email: 'user@example.com',
    uri: 'https://example.com/',
    url: 'https://example.com/',
    uuid: '00000000-0000-4000-8000-000000000000',
    hostname: 'example.com',
    ipv4: '192.0.2.1',
    ipv6: '2001:db8::1',
  };
  const format = typeof schema.format === 'string' ? byFormat[schema.format] : undefined;
  let value = format ?? `example ${name}`;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  if (value.length < min) value = value.padEnd(Math.min(min, 1024), 'x');
  if (value.length > max) value = value.slice(0, Math.max(0, max));
  return value;
}

function numberFrom(schema: Schema, type: 'integer' | 'number'): number {
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const min = num(schema.minimum) ?? (num(schema.exclusiveMinimum) !== undefined ? num(schema.exclusiveMinimum)! + 1 : undefined);
  const max = num(schema.maximum) ?? (num(schema.exclusiveMaximum) !== undefined ? num(schema.exclusiveMaximum)! - 1 : undefined);
  let value = min ?? (max !== undefined ? Math.min(max, 1) : 1);
  const step = num(schema.multipleOf);
  if (step !== undefined && step > 0) value = Math.ceil(value / step) * step;
  return type === 'integer' ? Math.ceil(value) : value;
}
