import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  EXAMPLE_HAPROXY_OPTIONS,
  haproxyConfig,
  TEMPLATE_FILE,
} from '../../../scripts/lib/cluster/haproxy-config.ts';

describe('the HAProxy configuration', () => {
  it('committed in deploy/haproxy/ is the generator’s example (node scripts/lib/cluster/haproxy-config.ts rewrites it)', () => {
    expect(readFileSync(TEMPLATE_FILE, 'utf8')).toBe(haproxyConfig(EXAMPLE_HAPROXY_OPTIONS));
  });

  it('names servers by NODE_ID, checks readiness and routes session paths by the id’s node', () => {
    const config = haproxyConfig({
      bind: '127.0.0.1:8080',
      log: 'stdout format raw',
      nodes: [
        { id: 'a', address: '127.0.0.1:5001' },
        { id: 'b-2', address: '127.0.0.1:5002' },
      ],
    });
    expect(config).toContain('    server a 127.0.0.1:5001 check\n    server b-2 127.0.0.1:5002 check\n');
    expect(config).toContain('option httpchk GET /api/health/ready');
    expect(config).toContain('use-server %[path,field(4,/),word(1,.)] if { path_reg ^/api/sessions/');
    expect(config).toMatch(/retry-on conn-failure empty-response 503/);
    expect(config).toMatch(/timeout tunnel/);
  });

  it('refuses a server name that is not a NODE_ID and an address without a port', () => {
    const base = { bind: ':80', log: '/dev/log' };
    expect(() => haproxyConfig({ ...base, nodes: [{ id: 'Node_1', address: '10.0.0.1:1' }] })).toThrow(
      /NODE_ID/,
    );
    expect(() => haproxyConfig({ ...base, nodes: [{ id: 'n1', address: '10.0.0.1' }] })).toThrow(/host:port/);
  });
});
