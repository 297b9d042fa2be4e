// Which request bodies the ingress takes.
//
// Decisions:
// - `application/json` and any `application/*+json` (e.g. `application/cloudevents+json`), charset
//   absent or UTF-8 (RFC 8259 allows no other encoding on the wire between systems).
// - `application/x-www-form-urlencoded` with a single `payload` field holding the JSON: GitHub's
//   optional form content type (and Slack-style senders). The signature covers the form bytes, the
//   event data is the JSON inside `payload`, and endpoints with payloadFormat "raw" get the original
//   form bytes. Any other form is refused (415): there is no JSON to route.
// - Any `Content-Encoding` other than identity is refused (415): decompressing would need a second,
//   decompressed-size cap (zip bombs), and no supported provider compresses webhooks.
// - A missing Content-Type is refused (415) rather than sniffed.

export type BodyKind = 'json' | 'form';

export type ContentTypeVerdict = { ok: true; kind: BodyKind } | { ok: false; reason: string };

const JSON_TYPE = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/;
const FORM_TYPE = 'application/x-www-form-urlencoded';

export function classifyContentType(contentType: string | undefined, contentEncoding: string | undefined): ContentTypeVerdict {
  if (contentEncoding !== undefined && contentEncoding.trim() !== '' && contentEncoding.trim().toLowerCase() !== 'identity') {
    return { ok: false, reason: `Content-Encoding ${JSON.stringify(contentEncoding.slice(0, 64))} is not supported; send the body uncompressed.` };
  }
  if (contentType === undefined || contentType.trim() === '') {
    return { ok: false, reason: 'The request has no Content-Type; send Content-Type: application/json.' };
  }
  const [mediaType = '', ...params] = contentType.split(';');
  const media = mediaType.trim().toLowerCase();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      return { ok: false, reason: `charset=${JSON.stringify(charset.slice(0, 64))} is not supported; JSON must be UTF-8.` };
    }
  }
  if (JSON_TYPE.test(media)) return { ok: true, kind: 'json' };
  if (media === FORM_TYPE) return { ok: true, kind: 'form' };
  return { ok: false, reason: `Content-Type ${JSON.stringify(media.slice(0, 128))} is not supported; send application/json (or a form with a JSON "payload" field).` };
}
