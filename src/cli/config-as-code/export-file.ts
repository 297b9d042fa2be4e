// `hookd export`: the server's set-up as a hookd.yaml that `hookd apply` takes back. Secrets are
// write-only on the server, so each one becomes a `${env:NAME}` reference and the list of those
// names is returned alongside (the command prints it): the file can go into version control as it is.

import { stringify } from 'yaml';
import { CONFIG_VERSION } from './config-file.js';
import { REDACTED, type CurrentState } from './plan.js';

export interface ExportResult {
  text: string;
  /** The environment variables the file refers to, each with what it must hold. */
  variables: Array<{ name: string; holds: string }>;
}

const ENDPOINT_OPTIONAL = ['description', 'eventTypes', 'timeoutMs', 'rateLimitPerSecond', 'maxConcurrency', 'retrySchedule', 'payloadFormat', 'signing', 'enabled'] as const;

/** An environment variable name from parts: "CRM_EXAMPLE_COM", upper case, [A-Z0-9_]. */
export function envName(...parts: string[]): string {
  return parts
    .join('_')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, '_$1');
}

function endpointSlug(url: string, tenant: string | null): string {
  let host = url;
  try {
    const u = new URL(url);
    host = `${u.hostname}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    // keep the text
  }
  return envName('ENDPOINT', ...(tenant ? [tenant] : []), host);
}

export function exportConfig(current: CurrentState, options: { includeApiKeys: boolean }): ExportResult {
  const variables: ExportResult['variables'] = [];
  const used = new Set<string>();
  const ref = (base: string, holds: string): string => {
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    variables.push({ name, holds });
    return `\${env:${name}}`;
  };

  const doc: Record<string, unknown> = { version: CONFIG_VERSION };
  doc.eventTypes = [...current.eventTypes]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((t) => {
      const o: Record<string, unknown> = { name: t.name };
      if (t.description !== null) o.description = t.description;
      if (t.schema !== null && t.schema !== undefined) o.schema = t.schema;
      if (t.example !== null && t.example !== undefined) o.example = t.example;
      return o;
    });

  doc.endpoints = current.endpoints.map((e) => {
    const slug = endpointSlug(e.url, e.tenant);
    const o: Record<string, unknown> = { url: e.url };
    if (e.tenant !== null) o.tenant = e.tenant;
    for (const f of ENDPOINT_OPTIONAL) if (e[f] !== null && e[f] !== undefined) o[f] = e[f];
    // The signing secret is used when the endpoint is created: on a new server this keeps the
    // receivers' verification working (`hookd endpoints secret <id>` shows the value to put there).
    o.secret = ref(`${slug}_SECRET`, `the signing secret of ${e.url} (hookd endpoints secret ${e.id})`);
    const auth = e.auth as Record<string, unknown> | undefined;
    if (auth && auth.type !== 'none') {
      const a: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(auth)) {
        if (v === null) continue;
        a[k] = v === REDACTED ? ref(`${slug}_AUTH_${envName(k)}`, `the ${k} of the ${String(auth.type)} auth of ${e.url}`) : v;
      }
      o.auth = a;
    }
    const headers = e.headers as Record<string, string> | undefined;
    if (headers && Object.keys(headers).length > 0) {
      o.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === REDACTED ? ref(`${slug}_HEADER_${envName(k)}`, `the ${k} header sent to ${e.url}`) : v]));
    }
    return o;
  });

  doc.sources = current.sources.map((s) => {
    const o: Record<string, unknown> = { name: s.name };
    if (s.tenant !== null) o.tenant = s.tenant;
    const verify = (s.verify ?? { scheme: 'none' }) as Record<string, unknown>;
    o.verify = Object.fromEntries(
      Object.entries(verify).map(([k, v]) => [k, v === REDACTED ? ref(envName('SOURCE', ...(s.tenant ? [s.tenant] : []), s.name, k), `the verify ${k} of source ${s.name} (${s.id})`) : v]),
    );
    for (const f of ['allowIps', 'eventType', 'maxBodyBytes'] as const) if (s[f] !== null && s[f] !== undefined) o[f] = s[f];
    return o;
  });

  if (options.includeApiKeys) {
    doc.apiKeys = current.apiKeys
      .filter((k) => !k.revokedAt && k.name !== null)
      .map((k) => (k.tenant === null ? { name: k.name, admin: true } : { name: k.name, tenant: k.tenant }));
  }

  const header = [
    '# hookd configuration (hookd export). Apply with: hookd apply -f <this file>',
    ...(variables.length > 0 ? ['# Secrets are references to environment variables; set these before applying:', ...variables.map((v) => `#   ${v.name}: ${v.holds}`)] : []),
  ];
  return { text: `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}`, variables };
}
