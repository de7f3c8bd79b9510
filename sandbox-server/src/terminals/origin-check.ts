/**
 * Which pages may open a terminal. Browsers send `Origin` on every WebSocket handshake and a page cannot
 * change it, while they do not apply CORS to WebSockets: without this check any site the reader visits
 * could open a shell in their playground (cross-site WebSocket hijacking). Allowed: the server's own origin
 * (the Origin's host equals the Host the request was sent to) and the origins of CORS_ORIGINS. A handshake
 * without Origin does not come from a browser page — no reader's browser can be made to send it — so it is
 * not refused here; sign-in, where it is on, still applies to it.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  host: string | undefined,
  allowedOrigins: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  return host !== undefined && originHost !== '' && originHost.toLowerCase() === host.toLowerCase();
}
