import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret, signatureHeader } from '../src/signature/index.js';
import { createReceiver, WebhookVerificationError } from '../src/receiver/index.js';

const secret = generateSecret();
const now = 1_750_000_000_000;
const ts = now / 1000;

function headers(body: string | Buffer, id = 'evt_1', secrets = [secret]): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signatureHeader(secrets, id, ts, body) };
}

async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('createReceiver', () => {
  it('refuses to start without a secret (never "accept unsigned")', () => {
    expect(() => createReceiver({ secrets: undefined })).toThrow(/no webhook secret/);
    expect(() => createReceiver({ secrets: '' })).toThrow(/no webhook secret/);
    expect(() => createReceiver({ secrets: [] })).toThrow(/no webhook secret/);
    expect(() => createReceiver({ secrets: 'whsec_%%%' })).toThrow(/base64/);
  });

  it('returns the envelope split into type and data, plus the raw bytes', async () => {
    const receiver = createReceiver({ secrets: secret, now: () => now });
    const body = '{"type":"chat.started","timestamp":"2026-05-20T15:30:00.000Z","data":{"chatId":"c1"}}';
    const event = await receiver.verify(Buffer.from(body), headers(body));
    expect(event).toMatchObject({ id: 'evt_1', timestamp: ts, type: 'chat.started', data: { chatId: 'c1' }, duplicate: false });
    expect(event.payload).toEqual(JSON.parse(body));
    expect(event.rawBody.toString()).toBe(body);
    expect((await receiver.verify(body, headers(body))).duplicate).toBe(true);
  });

  it('treats a non-envelope body as raw data', async () => {
    const receiver = createReceiver({ secrets: secret, now: () => now, dedupe: false });
    const body = '{"chatId":"c1"}';
    expect(await receiver.verify(body, headers(body))).toMatchObject({ type: undefined, data: { chatId: 'c1' } });
    // dedupe: false never flags duplicates.
    expect((await receiver.verify(body, headers(body))).duplicate).toBe(false);
  });

  it('accepts several secrets from one env-style string', async () => {
    const old = generateSecret();
    const receiver = createReceiver({ secrets: `${old}, ${secret}`, now: () => now });
    const body = '{}';
    expect((await receiver.verify(body, headers(body, 'a', [old]))).id).toBe('a');
    expect((await receiver.verify(body, headers(body, 'b', [secret]))).id).toBe('b');
  });

  it('throws WebhookVerificationError with code and status', async () => {
    const receiver = createReceiver({ secrets: secret, now: () => now });
    const body = '{"type":"a","data":1}';
    const forged = await rejection(receiver.verify(body, headers(body, 'evt_1', [generateSecret()])));
    expect(forged).toMatchObject({ code: 'signature_invalid', status: 401 });
    const missing = await rejection(receiver.verify(body, {}));
    expect(missing).toMatchObject({ code: 'signature_missing', status: 401 });
    const late = createReceiver({ secrets: secret, now: () => now + 301_000 });
    expect(await rejection(late.verify(body, headers(body)))).toMatchObject({ code: 'timestamp_out_of_tolerance', status: 401 });
    const custom = createReceiver({ secrets: secret, now: () => now + 301_000, toleranceSeconds: 600 });
    expect((await custom.verify(body, headers(body))).id).toBe('evt_1');
  });

  it('parses only after verifying, refuses invalid JSON and invalid UTF-8 with 400, and does not burn the id', async () => {
    const receiver = createReceiver({ secrets: secret, now: () => now });
    const forgedJunk = await rejection(receiver.verify('not json', { ...headers('{}'), 'webhook-id': 'evt_1' }));
    expect(forgedJunk.code).toBe('signature_invalid');
    for (const bad of ['{"a":', '{"a":NaN}', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])]) {
      const error = await rejection(receiver.verify(bad, headers(bad, 'evt_json')));
      expect(error).toMatchObject({ code: 'invalid_json', status: 400 });
    }
    expect((await receiver.verify('{}', headers('{}', 'evt_json'))).duplicate).toBe(false);
  });

  it('drops __proto__ keys so a later Object.assign cannot swap a prototype', async () => {
    const receiver = createReceiver({ secrets: secret, now: () => now });
    const body = '{"type":"a","data":{"__proto__":{"isAdmin":true},"ok":1}}';
    const event = await receiver.verify(body, headers(body));
    const copy = Object.assign({}, event.data) as Record<string, unknown>;
    expect(copy.isAdmin).toBeUndefined();
    expect(copy.ok).toBe(1);
  });

  it('release() lets a redelivery through again', async () => {
    const receiver = createReceiver({ secrets: secret, now: () => now });
    const body = '{}';
    await receiver.verify(body, headers(body, 'evt_r'));
    await receiver.release('evt_r');
    expect((await receiver.verify(body, headers(body, 'evt_r'))).duplicate).toBe(false);
  });

  it('verifies what the standardwebhooks library signs, in three lines', async () => {
    const receiver = createReceiver({ secrets: secret });
    const date = new Date();
    const body = '{"type":"user.authenticated","data":{"user":"u1"}}';
    const event = await receiver.verify(body, {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_1', date, body),
    });
    expect(event.type).toBe('user.authenticated');
  });
});
