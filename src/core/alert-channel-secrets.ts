// Which parts of a channel are secret. The stores keep the rest as readable config and seal these
// (the webhook's signing secret, the Slack/Teams URL whose path is the token, the SMTP password), so
// a database dump or a listing never shows them.

import type { AlertChannelKind, AlertChannelTarget } from './alert-types.js';

export interface SplitChannel {
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
}

export function splitChannelTarget(target: AlertChannelTarget): SplitChannel {
  switch (target.kind) {
    case 'webhook':
      return { config: { url: target.url }, secrets: { secret: target.secret } };
    case 'slack':
    case 'teams':
      return { config: { urlHint: urlHint(target.url) }, secrets: { url: target.url } };
    case 'email': {
      const { password, kind: _kind, ...config } = target;
      return { config, secrets: { password } };
    }
  }
}

export function joinChannelTarget(kind: AlertChannelKind, config: Record<string, unknown>, secrets: Record<string, unknown>): AlertChannelTarget {
  switch (kind) {
    case 'webhook':
      return { kind, url: String(config.url), secret: String(secrets.secret) };
    case 'slack':
    case 'teams':
      return { kind, url: String(secrets.url) };
    case 'email':
      return {
        kind,
        host: String(config.host),
        port: Number(config.port),
        secure: config.secure === true,
        username: typeof config.username === 'string' ? config.username : null,
        password: typeof secrets.password === 'string' ? secrets.password : null,
        from: String(config.from),
        to: Array.isArray(config.to) ? config.to.map(String) : [],
      };
  }
}

/** The scheme and host of an incoming-webhook URL: enough to recognise it, without its token. */
export function urlHint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '…';
  }
}
