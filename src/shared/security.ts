// The renderer's Content-Security-Policy, shared by main (response header) and the
// build (meta tag in index.html), so both always say the same thing.
const DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  // Svelte and cornerstone set style attributes at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
];

/** For the index.html meta tag: browsers ignore frame-ancestors there, and warn about it. */
export const META_CONTENT_SECURITY_POLICY = DIRECTIVES.join('; ');

/** For response headers (Electron session, loopback server). */
export const CONTENT_SECURITY_POLICY = [...DIRECTIVES, "frame-ancestors 'none'"].join('; ');
