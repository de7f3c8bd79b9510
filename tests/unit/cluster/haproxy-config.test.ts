import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_HAPROXY_OPTIONS,
  haproxyConfig,
  TEMPLATE_FILE,
} from '../../../scripts/lib/cluster/haproxy-config.ts';

const TWO_NODES = {
  bind: '127.0.0.1:8080',
  previewBind: '127.0.0.1:8081',
  log: 'stdout format raw',
  nodes: [
    { id: 'a', address: '127.0.0.1:5001', previewAddress: '127.0.0.1:6001' },
    { id: 'b-2', address: '127.0.0.1:5002', previewAddress: '127.0.0.1:6002' },
  ],
};

describe('the HAProxy configuration', () => {
  it('committed in deploy/haproxy/ is the generator’s example (node scripts/lib/cluster/haproxy-config.ts rewrites it)', () => {
    expect(readFileSync(TEMPLATE_FILE, 'utf8')).toBe(haproxyConfig(EXAMPLE_HAPROXY_OPTIONS));
  });

  it('names servers by NODE_ID, checks readiness and routes session paths by the id’s node', () => {
    const config = haproxyConfig(TWO_NODES);
    expect(config).toContain('    server a 127.0.0.1:5001 check\n    server b-2 127.0.0.1:5002 check\n');
    expect(config).toContain('option httpchk GET /api/health/ready');
    expect(config).toContain('use-server %[path,field(4,/),word(1,.)] if { path_reg ^/api/sessions/');
    expect(config).toMatch(/retry-on conn-failure empty-response 503/);
    expect(config).toMatch(/timeout tunnel/);
  });

  it('routes previews by the Host’s first label, <token>-<node>, to that node’s preview listener', () => {
    const config = haproxyConfig(TWO_NODES);
    const previews = config.slice(config.indexOf('frontend dockyard_previews'));
    expect(previews).toContain('    bind 127.0.0.1:8081\n    default_backend dockyard_previews\n');
    expect(previews).toContain(
      'use-server %[req.hdr(host),lower,field(1,.),field(2,-,0)] if { req.hdr(host),lower,field(1,.) -m reg ^[0-9a-f]{32}-[a-z0-9-]+$ }',
    );
    expect(previews).toContain('    server a 127.0.0.1:6001 check\n    server b-2 127.0.0.1:6002 check\n');
    // The preview listener has no readiness endpoint: a TCP check.
    expect(previews).not.toContain('httpchk');
  });

  it('refuses a server name that is not a NODE_ID of a preview label, and an address without a port', () => {
    const base = { bind: ':80', previewBind: ':8080', log: '/dev/log' };
    const node = { address: '10.0.0.1:1', previewAddress: '10.0.0.1:2' };
    expect(() => haproxyConfig({ ...base, nodes: [{ ...node, id: 'Node_1' }] })).toThrow(/NODE_ID/);
    expect(() => haproxyConfig({ ...base, nodes: [{ ...node, id: 'n'.repeat(31) }] })).toThrow(
      /NODE_ID of at most 30 characters/,
    );
    expect(() => haproxyConfig({ ...base, nodes: [{ ...node, id: 'n1', address: '10.0.0.1' }] })).toThrow(
      /host:port/,
    );
    expect(() => haproxyConfig({ ...base, nodes: [{ ...node, id: 'n1', previewAddress: 'x' }] })).toThrow(
      /host:port/,
    );
  });
});
