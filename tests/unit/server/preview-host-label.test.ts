import { describe, expect, it } from 'vitest';
import {
  PREVIEW_NODE_ID_MAX_LENGTH,
  parsePreviewHostLabel,
  previewHostLabel,
} from '../../../sandbox-server/src/previews/preview-host-label.ts';

const TOKEN = '0123456789abcdef0123456789abcdef';
/** RFC 1035 §2.3.1 with digits first allowed (RFC 1123), as browsers and DNS take a host label. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('the first label of a preview host name', () => {
  it('is the token alone on a single node, and <token>-<node> on a node with a NODE_ID', () => {
    expect(previewHostLabel({ token: TOKEN, node: null })).toBe(TOKEN);
    expect(previewHostLabel({ token: TOKEN, node: 'dockyard-0' })).toBe(`${TOKEN}-dockyard-0`);
  });

  it('is a DNS label for the longest NODE_ID allowed, and reads back whatever dashes the node holds', () => {
    for (const node of [null, 'a', 'node-b', 'a--b-0', 'n'.repeat(PREVIEW_NODE_ID_MAX_LENGTH)]) {
      const label = previewHostLabel({ token: TOKEN, node });
      expect(label).toMatch(DNS_LABEL);
      expect(label.length).toBeLessThanOrEqual(63);
      expect(parsePreviewHostLabel(label)).toEqual({ token: TOKEN, node });
    }
    expect(PREVIEW_NODE_ID_MAX_LENGTH).toBe(30);
  });

  it('reads nothing from labels that are not a preview link’s', () => {
    for (const label of [
      '',
      TOKEN.slice(1),
      `${TOKEN}0`,
      TOKEN.toUpperCase(),
      `${TOKEN}-`,
      `${TOKEN}-node-`,
      `${TOKEN}--node`,
      `${TOKEN}-Node`,
      `${TOKEN}-node_b`,
      `${TOKEN}-${'n'.repeat(PREVIEW_NODE_ID_MAX_LENGTH + 1)}`,
      `node-b-${TOKEN}`,
      'localhost',
    ]) {
      expect(parsePreviewHostLabel(label), label).toBeNull();
    }
  });
});
