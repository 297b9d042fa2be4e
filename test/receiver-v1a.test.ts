// hookd/receiver with ed25519 senders: given public keys, alongside HMAC secrets, and start-up checks.

import { describe, expect, it } from 'vitest';
import { createReceiver, WebhookVerificationError } from '../src/receiver/index.js';
import { generateSecret, generateSigningKeyPair, signStandardWebhook, signStandardWebhookV1a } from '../src/signature/index.js';

const pair = generateSigningKeyPair();
const secret = generateSecret();
const T = 1_750_000_000;
const body = '{"type":"chat.started","timestamp":"2026-05-20T15:30:00.000Z","data":{"chatId":"c_1"}}';
const headers = (signature: string) => ({ 'webhook-id': 'evt_r', 'webhook-timestamp': String(T), 'webhook-signature': signature });
const v1a = signStandardWebhookV1a({ id: 'evt_r', timestamp: T, body, secretKey: pair.secretKey });
const v1 = signStandardWebhook({ id: 'evt_r', timestamp: T, body, secret });

describe('createReceiver with public keys', () => {
  it('verifies v1a with a whpk_ key and parses the envelope', async () => {
    const receiver = createReceiver({ publicKeys: pair.publicKey, now: () => T * 1000, dedupe: false });
    const event = await receiver.verify(body, headers(v1a));
    expect(event).toMatchObject({ id: 'evt_r', type: 'chat.started', data: { chatId: 'c_1' } });
  });

  it('with secrets and public keys, either signature is enough; a forged one is refused', async () => {
    const receiver = createReceiver({ secrets: secret, publicKeys: [generateSigningKeyPair().publicKey, pair.publicKey], now: () => T * 1000, dedupe: false });
    await expect(receiver.verify(body, headers(v1))).resolves.toMatchObject({ id: 'evt_r' });
    await expect(receiver.verify(body, headers(v1a))).resolves.toMatchObject({ id: 'evt_r' });
    const forged = signStandardWebhookV1a({ id: 'evt_r', timestamp: T, body, secretKey: generateSigningKeyPair().secretKey });
    await expect(receiver.verify(body, headers(forged))).rejects.toMatchObject({ code: 'signature_invalid', status: 401 });
  });

  it('names the telling failure: a late but genuine v1a message is out of tolerance, not "no v1 signature"', async () => {
    const receiver = createReceiver({ secrets: secret, publicKeys: pair.publicKey, now: () => (T + 3600) * 1000, dedupe: false });
    const error = await receiver.verify(body, headers(v1a)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).code).toBe('timestamp_out_of_tolerance');
  });

  it('refuses to start without any key and with a malformed one', () => {
    expect(() => createReceiver({ secrets: undefined, publicKeys: undefined })).toThrow(TypeError);
    expect(() => createReceiver({ publicKeys: ' , ' })).toThrow(TypeError);
    expect(() => createReceiver({ publicKeys: 'whpk_short' })).toThrow();
    expect(() => createReceiver({ keySetUrl: 'nope' })).toThrow();
  });
});
