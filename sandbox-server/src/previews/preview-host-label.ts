/**
 * The first label of a preview link's host name: `<token>` on a single node, `<token>-<node>` on a node
 * with a NODE_ID (several nodes behind a load balancer). The token is 32 lower-case hex characters (128
 * random bits, preview-links.ts); the node is the NODE_ID of the server holding the session, so a load
 * balancer routes a preview by its Host header alone, as it routes `/api/sessions/<node>.…` by path.
 *
 * Why one label and the token first: a wildcard certificate and DNS record cover one label only
 * (`*.preview.example`), so the node cannot be a label of its own without a certificate per node; with
 * a fixed-length token first, everything after its dash is the node, whatever dashes the node holds
 * (HAProxy: `field(2,-,0)`). A DNS label holds at most 63 characters, which leaves a NODE_ID 30.
 */
import { PREVIEW_TOKEN_CHARS as TOKEN_CHARS } from './preview-links.ts';

const DNS_LABEL_MAX_LENGTH = 63;
/** The longest NODE_ID that fits beside a token in one DNS label. */
export const PREVIEW_NODE_ID_MAX_LENGTH = DNS_LABEL_MAX_LENGTH - TOKEN_CHARS - 1;

const LABEL = new RegExp(
  `^([0-9a-f]{${TOKEN_CHARS}})(?:-([a-z0-9](?:[a-z0-9-]{0,${PREVIEW_NODE_ID_MAX_LENGTH - 2}}[a-z0-9])?))?$`,
);

export interface PreviewHostLabel {
  token: string;
  /** The node the link was issued by; null for a single node's link. */
  node: string | null;
}

export function previewHostLabel({ token, node }: PreviewHostLabel): string {
  return node === null ? token : `${token}-${node}`;
}

/** The token and node a host name's first label names; null for anything that is not a preview label. */
export function parsePreviewHostLabel(label: string): PreviewHostLabel | null {
  const match = LABEL.exec(label);
  if (match === null) return null;
  return { token: match[1] as string, node: match[2] ?? null };
}
