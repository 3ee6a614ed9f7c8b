// Cross-site request forgery: a browser sends the session cookie with any request to the
// manager, whichever page made it (SameSite=Strict stops other sites, not other pages on
// the same site, such as another port or a sibling host name). A browser always names the
// page's origin on a request that may change something, and a page cannot forge it, so a
// change made with the cookie must come from the manager's own origin.

/** Methods that change nothing: the cookie alone suffices for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/** Host name and port as a Host header gives them, without a default port (80, 443). */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/:(80|443)$/, '');
}

/**
 * True when the request's Origin header names the host it was sent to. Schemes are not
 * compared, so that a proxy ending TLS in front of the manager does not refuse its console.
 */
export function originMatchesHost(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || !host || origin === 'null') return false;
  let from: string;
  try {
    from = new URL(origin).host;
  } catch {
    return false;
  }
  return from !== '' && normalHost(from) === normalHost(host);
}
