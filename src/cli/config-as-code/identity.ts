// How objects are known across applies (docs/operations.md, "Configuration as code"). Apart from
// config-file.ts so that plan.ts, which every CLI start loads, does not pull in the YAML parser.

/** An endpoint has no name: it is known by its tenant and URL. */
export function endpointKey(e: { tenant: string | null; url: string }): string {
  return `${e.tenant ?? '-'} ${e.url}`;
}

/** A source is known by its tenant and name. */
export function sourceKey(s: { tenant: string | null; name: string }): string {
  return `${s.tenant ?? '-'} ${s.name}`;
}
