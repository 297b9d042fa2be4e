// Response headers for the dashboard's HTML and assets. The CSP allows only same-origin scripts,
// styles and fetches: no inline script or style, no CDN, no web fonts, so an injected string in a
// payload can never run. The operator dashboard refuses to be framed; the tenant portal is meant to be
// embedded in the sender's own app, so it may be framed by any origin (its token is its scope).

export function contentSecurityPolicy(frameable: boolean): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // The portal may show the embedding sender's logo from its own https: host (a token option).
    frameable ? "img-src 'self' data: https:" : "img-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    frameable ? 'frame-ancestors *' : "frame-ancestors 'none'",
  ].join('; ');
}

export function dashboardHeaders(frameable: boolean): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(frameable),
    'x-content-type-options': 'nosniff',
    // The portal URL carries a token: never send it on in a Referer.
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': frameable ? 'unsafe-none' : 'same-origin',
    ...(frameable ? {} : { 'x-frame-options': 'DENY' }),
  };
}
