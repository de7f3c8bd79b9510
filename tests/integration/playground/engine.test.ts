/**
 * The playground's Docker is the one the site says it is: the versions file (written by
 * `npm run images` from the image) matches the image, and a session runs that Engine with BuildKit,
 * buildx and Compose, and a catalog whose images keep their layers and history.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_TAGS } from '../../../sandbox-server/src/playground/catalog.ts';
import { readEngineFile, readEngineVersions } from '../../../scripts/lib/playground-engine.ts';
import { usePlaygroundSession } from '../../support/playground-session.ts';

const REPO_ROOT = join(import.meta.dirname, '../../..');
const recorded = readEngineFile(REPO_ROOT);

const playground = usePlaygroundSession();
const run = (code: string) => playground.run(code);

describe('the playground’s Docker', () => {
  it('is what site/generated/playground-engine.json says (taken from the image, not typed)', () => {
    expect(readEngineVersions(playground.server.config.playgroundImage, recorded.suite)).toEqual(recorded);
  });

  it('runs that Engine, CLI, Compose and buildx', async () => {
    const result = await run(
      [
        `docker version --format '{{.Server.Version}} {{.Client.Version}}'`,
        'docker compose version --short',
        'docker buildx version',
      ].join(' && '),
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const [versions = '', compose = '', buildx = ''] = result.stdout.trim().split('\n');
    const [server_, client] = versions.split(' ');
    expect(server_?.startsWith(recorded.engine)).toBe(true);
    expect(client?.startsWith(recorded.cli)).toBe(true);
    expect(compose.startsWith(recorded.compose)).toBe(true);
    expect(buildx).toContain(recorded.buildx);
  });

  it('builds with BuildKit by default, and with docker buildx build --load', async () => {
    const result = await run(
      [
        'mkdir -p /srv/bk && cd /srv/bk',
        "printf 'FROM busybox\\nRUN echo one > /one\\nCOPY Dockerfile /copied\\n' > Dockerfile",
        'docker build -t bk-default . 2>&1',
        'docker buildx build --load -t bk-buildx . 2>&1',
        `docker history --format '{{.CreatedBy}}' bk-default | head -2`,
        'docker run --rm bk-buildx cat /one',
      ].join(' && '),
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/#\d+ \[2\/3\] RUN echo one > \/one/);
    expect(result.stdout).not.toMatch(/Step 1\/\d/);
    expect(result.stdout).toContain('COPY Dockerfile /copied # buildkit');
    expect(result.stdout).toContain('RUN /bin/sh -c echo one > /one # buildkit');
    expect(result.stdout.trim().split('\n').at(-1)).toBe('one');
  });

  it('lists the whole catalog, each image with its layers and history as built', async () => {
    const images = await run(`docker images --format '{{.Repository}}:{{.Tag}}'`);
    expect(images.stdout.trim().split('\n')).toEqual(expect.arrayContaining([...CATALOG_TAGS]));
    const nginx = await run(
      `docker image inspect -f '{{len .RootFS.Layers}}' nginx && docker history --no-trunc --format '{{.CreatedBy}}' nginx`,
    );
    const [layers, ...history] = nginx.stdout.trim().split('\n');
    expect(Number(layers)).toBeGreaterThan(1);
    expect(history.length).toBeGreaterThan(Number(layers));
    expect(history.join('\n')).toMatch(/apt-get install .*nginx-light/);
    expect(history.join('\n')).toContain('STOPSIGNAL SIGQUIT');
  });
});
