/**
 * PLAYGROUND_ALLOW_PULL with PLAYGROUND_REGISTRY_MIRROR, end to end: a local registry on a Docker network
 * of its own stands in for the team's mirror (no registry on the Internet is reachable from here). It
 * speaks HTTPS with a certificate made here, so the inner daemon goes through the playground's
 * host-filtering proxy with CONNECT — as it would to Docker Hub. Nothing else gets a way out.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REGISTRY_IMAGE } from '../../../sandbox-server/images/specs.ts';
import { type PlaygroundServer, startPlaygroundServer } from '../../../scripts/lib/playground-server.ts';
import { startCanary } from '../../support/canary.ts';

const suffix = randomBytes(4).toString('hex');
const network = `dockyard-test-pull-${suffix}`;
const registry = `dockyard-test-registry-${suffix}`;
const MIRROR_HOST = 'mirror.test';
/** What the reader pulls: a catalog image, pushed to the mirror under a name the catalog does not have. */
const PULLED = 'dockyard-pulled';

const MIRROR = `https://${MIRROR_HOST}:5000`;

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

let server: PlaygroundServer;
let session: string;
let pushedTag = '';
const certs = mkdtempSync(join(tmpdir(), 'dockyard-mirror-'));
let certificate = '';

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${MIRROR_HOST}`,
      '-addext',
      `subjectAltName=DNS:${MIRROR_HOST}`,
      '-keyout',
      join(certs, 'key.pem'),
      '-out',
      join(certs, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  certificate = readFileSync(join(certs, 'cert.pem'), 'utf8');
  docker('network', 'create', '--label', 'dockyard.test=true', network);
  docker(
    'run',
    '-d',
    '--name',
    registry,
    '--label',
    'dockyard.test=true',
    '--network',
    network,
    '--network-alias',
    MIRROR_HOST,
    '-p',
    '127.0.0.1::5000',
    '-v',
    `${certs}:/certs:ro`,
    '-e',
    'REGISTRY_HTTP_TLS_CERTIFICATE=/certs/cert.pem',
    '-e',
    'REGISTRY_HTTP_TLS_KEY=/certs/key.pem',
    TEST_REGISTRY_IMAGE,
  );
  const port = docker('port', registry, '5000/tcp').split(':').at(-1);
  pushedTag = `127.0.0.1:${port}/library/${PULLED}:latest`;
  docker('tag', 'dockyard/catalog-busybox:latest', pushedTag);
  for (let attempt = 0; ; attempt++) {
    try {
      docker('push', pushedTag);
      break;
    } catch (error) {
      if (attempt === 20) throw error;
      await new Promise((r) => setTimeout(r, 250)); // the registry is still starting
    }
  }
  server = await startPlaygroundServer({
    PLAYGROUND_ALLOW_PULL: 'true',
    PLAYGROUND_REGISTRY_MIRROR: MIRROR,
    PLAYGROUND_PULL_NETWORK: network,
  });
  session = await server.newSession();
  // The reader is root of its Docker host: trusting a registry's certificate is theirs to do.
  const trusted = await server.run(
    `mkdir -p /etc/docker/certs.d/${MIRROR_HOST}:5000 && cat > /etc/docker/certs.d/${MIRROR_HOST}:5000/ca.crt <<'EOF'\n${certificate}EOF`,
    session,
  );
  if (trusted.exitCode !== 0) throw new Error(`cannot install the mirror's certificate: ${trusted.stderr}`);
});

afterAll(async () => {
  await server?.app.close();
  execFileSync(
    'sh',
    ['-c', `docker rm -f ${registry}; docker network rm ${network}; docker rmi ${pushedTag}`],
    {
      stdio: 'ignore',
    },
  );
  rmSync(certs, { recursive: true, force: true });
});

describe('pulls through the team’s mirror (PLAYGROUND_ALLOW_PULL + PLAYGROUND_REGISTRY_MIRROR)', () => {
  it('pulls an image the catalog does not have from the mirror, and runs it', async () => {
    const result = await server.run(
      `docker pull ${PULLED} && docker run --rm ${PULLED} echo pulled`,
      session,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Status: Downloaded newer image for ${PULLED}:latest`);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('pulled');
  });

  it('fails a pull of an image the mirror lacks at once, with the daemon’s error and a hint', async () => {
    const result = await server.run('docker pull centos', session);
    expect(result.exitCode).not.toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toMatch(/Error response from daemon/);
    expect(result.stderr).toContain(`hint: this playground pulls only from ${MIRROR}`);
  });

  it('gives inner containers no way out, and the reader’s shell only the allowed host', async () => {
    const ca = `/etc/docker/certs.d/${MIRROR_HOST}:5000/ca.crt`;
    const canary = await startCanary();
    const result = await server.run(
      [
        `docker run --rm busybox wget -q -T 3 -O /dev/null http://${MIRROR_HOST}:5000/v2/ && echo container-reached`,
        `curl -s -m 3 -o /dev/null --cacert ${ca} ${MIRROR}/v2/ && echo shell-reached`,
        // -f: the proxy answers a refused host with an error page, which must not count as reaching it.
        `curl -sf -m 3 -o /dev/null -x http://127.0.0.1:3128 http://${canary.address}:${canary.port}/ && echo other-host-reached`,
        `curl -sf -m 3 -o /dev/null http://${canary.address}:${canary.port}/ && echo direct-reached`,
        `curl -s -m 3 -o /dev/null -w "%{http_code}\\n" -x http://127.0.0.1:3128 --cacert ${ca} ${MIRROR}/v2/`,
      ].join('; '),
      session,
    );
    await canary.close();
    expect(result.stdout).not.toContain('reached');
    expect(canary.contacts()).toBe(0);
    // Only through the playground's proxy, and only to the mirror.
    expect(result.stdout.trim()).toBe('200');
  });
});
