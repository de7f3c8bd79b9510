/**
 * Session ids that a load balancer can route by path: `<node>.<secret>`, where `<node>` is the NODE_ID
 * of the server holding the session (a DNS label: a Kubernetes pod name fits as it is) and `<secret>` is
 * 128 random bits in base64url (22 characters), which is what makes the id unguessable. Everything bound
 * to a session lives under `/api/sessions/<id>/…`, so `/api/sessions/<node>.` names the node without the
 * request's body being read. The dot separates unambiguously: node ids may hold dashes, base64url has no
 * dot.
 */
import { randomBytes } from 'node:crypto';

/** A DNS label of at most 63 characters: lower-case letters, digits, dashes inside. */
export const NODE_ID_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
const SECRET_BYTES = 16;
const SECRET_CHARS = 22;
/** The whole id, for TypeBox schemas of params and bodies. */
export const SESSION_ID_PATTERN = `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.[A-Za-z0-9_-]{${SECRET_CHARS}}$`;
export const SESSION_ID_MAX_LENGTH = 63 + 1 + SECRET_CHARS;
/** Said in every 400 for a malformed id. */
export const SESSION_ID_FORMAT = `<node>.<${SECRET_CHARS} base64url characters>, as POST /api/sessions returns it`;

const NODE_ID = new RegExp(NODE_ID_PATTERN);
const SESSION_ID = new RegExp(SESSION_ID_PATTERN);

export function isNodeId(value: string): boolean {
  return NODE_ID.test(value);
}

export function newSessionId(node: string): string {
  if (!isNodeId(node)) throw new Error(`not a node id: ${JSON.stringify(node)}`);
  return `${node}.${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** The node a well-formed session id names; null for anything else. */
export function sessionNode(id: string): string | null {
  return SESSION_ID.test(id) ? id.slice(0, id.indexOf('.')) : null;
}

/** For logs: the node and the first characters of the secret, never enough to use the session. */
export function shortSessionId(id: string): string {
  const dot = id.indexOf('.');
  return dot === -1 ? `${id.slice(0, 6)}…` : `${id.slice(0, dot + 7)}…`;
}

/**
 * The node id a server takes when NODE_ID is not set: derived from its persisted instance id (a UUID,
 * docker/labels.ts), so it stays the same across restarts and differs between servers.
 */
export function defaultNodeId(instanceId: string): string {
  const hex = instanceId.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{12,}$/.test(hex)) throw new Error(`not an instance id: ${JSON.stringify(instanceId)}`);
  return `n${hex.slice(0, 12)}`;
}
