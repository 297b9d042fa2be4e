// How an endpoint is named in lists: its description where it has one (people name endpoints for
// what they are, "Billing CRM"), else its URL; the full URL is always in the tooltip. A delivery whose
// endpoint no longer exists says "deleted endpoint" instead of linking to a "Not found" page.

import { listAll } from '../api.js';
import { h } from '../dom.js';
import { shortId } from '../format.js';

/**
 * Every endpoint the principal can see, by id. `complete` is false when the list was cut short or
 * failed: then an unknown id may still exist, so it is linked rather than called deleted.
 */
export async function loadEndpointDirectory() {
  try {
    const { data, truncated } = await listAll('/v1/endpoints', {}, { cap: 2000 });
    return { byId: new Map(data.map((e) => [e.id, e])), complete: !truncated };
  } catch {
    return { byId: new Map(), complete: false };
  }
}

export function endpointName(e) {
  return e.description?.trim() || e.url;
}

/** URL text that may wrap only after a separator (/ ? & = . -), never inside a word. */
export function urlText(url) {
  const parts = String(url).split(/(?<=[/?&=.#-])/);
  const out = [];
  for (const [i, p] of parts.entries()) {
    if (i > 0) out.push(h('wbr'));
    out.push(p);
  }
  return h('span', { class: 'url' }, out);
}

/**
 * A link to the endpoint named as above, truncated with an ellipsis by its cell (class "trunc");
 * `deliveryCode` lets a delivery cancelled as endpoint_deleted say so even when the list is partial.
 */
export function endpointLink(endpointId, directory, { deliveryCode } = {}) {
  const e = directory?.byId.get(endpointId);
  if (e) return h('a', { href: `#/endpoints/${e.id}`, class: 'trunc', title: e.description ? `${e.description} — ${e.url}` : e.url }, endpointName(e));
  if (directory?.complete || deliveryCode === 'endpoint_deleted') return h('span', { class: 'muted trunc deleted-endpoint', title: `Endpoint ${endpointId} was deleted` }, 'deleted endpoint');
  return h('a', { href: `#/endpoints/${endpointId}`, class: 'mono trunc', title: endpointId }, shortId(endpointId));
}
