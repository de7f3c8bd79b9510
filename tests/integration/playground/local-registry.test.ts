/**
 * The image chapter's registry workflow, offline, in one playground: a registry:2 from the catalog on
 * a published port, then tag, push, rmi, pull — with a catalog image whose layers come read-only from
 * the shared store, so push has to read them where they are.
 */
import { describe, expect, it } from 'vitest';
import { usePlaygroundSession } from '../../support/playground-session.ts';

const playground = usePlaygroundSession();
const run = (code: string) => playground.run(code);

describe('a local registry in a playground', () => {
  it('runs registry:2 on port 5000 and answers the registry API', async () => {
    const started = await run(
      [
        'docker run -d -p 5000:5000 --name registry registry:2 >/dev/null',
        'end=$(( $(date +%s) + 60 ))',
        'until curl -fs http://localhost:5000/v2/ >/dev/null; do [ "$(date +%s)" -lt "$end" ] || exit 1; sleep 0.5; done',
        'curl -s -o /dev/null -w "%{http_code}\\n" http://localhost:5000/v2/',
      ].join('\n'),
    );
    expect(started).toMatchObject({ exitCode: 0, stdout: '200\n' });
  });

  it('pushes a multi-layer catalog image, removes it, pulls it back and runs it', async () => {
    const pushed = await run(
      'docker tag nginx localhost:5000/my-nginx:v1 && docker push localhost:5000/my-nginx:v1',
    );
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/v1: digest: sha256:[0-9a-f]{64}/);
    const layers = await run(`docker image inspect -f '{{len .RootFS.Layers}}' nginx`);
    expect(Number(layers.stdout)).toBeGreaterThan(1);
    expect((pushed.stdout.match(/: Pushed/g) ?? []).length).toBe(Number(layers.stdout));

    const catalog = await run('curl -s http://localhost:5000/v2/_catalog');
    expect(JSON.parse(catalog.stdout)).toEqual({ repositories: ['my-nginx'] });

    const removed = await run('docker rmi localhost:5000/my-nginx:v1 && docker rmi nginx');
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect((await run('docker images -q localhost:5000/my-nginx')).stdout).toBe('');

    const pulled = await run(
      'docker pull localhost:5000/my-nginx:v1 && docker run --rm localhost:5000/my-nginx:v1 nginx -v 2>&1',
    );
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain('Status: Downloaded newer image for localhost:5000/my-nginx:v1');
    expect(pulled.stdout).toMatch(/nginx version: nginx\//);
  });

  it('pushes an image built in the playground on top of a catalog image', async () => {
    const result = await run(
      [
        'mkdir -p /srv/hello && cd /srv/hello',
        'printf \'FROM busybox\\nRUN echo built-here > /hello.txt\\nCMD ["cat", "/hello.txt"]\\n\' > Dockerfile',
        'docker build -q -t localhost:5000/hello:1.0 . >/dev/null',
        'docker push -q localhost:5000/hello:1.0 >/dev/null',
        'docker rmi -f localhost:5000/hello:1.0 >/dev/null',
        'docker run --rm localhost:5000/hello:1.0',
      ].join(' && '),
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('built-here');
  });
});
