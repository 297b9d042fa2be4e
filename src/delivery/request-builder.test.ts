import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../core/types.js';
import { buildBody } from './request-builder.js';

const event = (over: Partial<EventRecord> = {}): EventRecord => ({
  id: 'evt_1',
  type: 'chat.started',
  tenant: null,
  payload: '{"b":1,  "a":"x"}',
  rawBody: null,
  idempotencyKey: null,
  requestHash: null,
  sourceId: null,
  seq: 1,
  createdAt: Date.UTC(2026, 11, 3, 6, 0, 0),
  ...over,
});

describe('buildBody', () => {
  it('wraps the accepted data text byte for byte, and gives raw endpoints the data alone', () => {
    const e = event();
    expect(buildBody(e, 'envelope').toString()).toBe('{"type":"chat.started","timestamp":"2026-12-03T06:00:00.000Z","data":{"b":1,  "a":"x"}}');
    expect(buildBody(e, 'raw').toString()).toBe('{"b":1,  "a":"x"}');
    const inbound = event({ rawBody: Buffer.from('raw bytes\n') });
    expect(buildBody(inbound, 'raw').toString()).toBe('raw bytes\n');
  });

  it('builds each event once per format: fan-out shares the bytes, another event gets its own', () => {
    const e = event();
    // Asked in either order, each format keeps its own bytes.
    const raw = buildBody(e, 'raw');
    const envelope = buildBody(e, 'envelope');
    expect(buildBody(e, 'envelope')).toBe(envelope);
    expect(buildBody(e, 'raw')).toBe(raw);
    expect(raw.equals(envelope)).toBe(false);
    const other = event({ id: 'evt_2', payload: '{"c":2}' });
    expect(buildBody(other, 'envelope').toString()).toContain('"data":{"c":2}}');
    expect(buildBody(other, 'envelope')).not.toBe(envelope);
  });
});
