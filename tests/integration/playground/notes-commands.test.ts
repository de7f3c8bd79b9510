/**
 * The notes' own commands, run block after block in one playground session against the real engine,
 * checked on their real output.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG_TAGS } from '../../../sandbox-server/src/playground/catalog.ts';
import { usePlaygroundSession } from '../../support/playground-session.ts';

const playground = usePlaygroundSession();
const run = (code: string) => playground.run(code);

/**
 * A subshell that retries `probe` every half second until it succeeds, and fails after `seconds`: a
 * service's start-up time on a busy 2-core machine is anyone's guess, so no fixed `sleep` stands in
 * for "it is up now". A service that never answers still fails the run.
 */
const waitUntil = (probe: string, seconds: number) =>
  `(end=$(( $(date +%s) + ${seconds} )); until ${probe}; do [ "$(date +%s)" -lt "$end" ] || exit 1; sleep 0.5; done)`;
/** Room for services' start-up (a JVM, a database's first start) on one busy core. */
const SERVICE_TEST_TIMEOUT_MS = 240_000;

describe('a playground session runs the notes’ commands', () => {
  it('lists the offline catalog, built locally', async () => {
    const result = await run('docker images --format "{{.Repository}}:{{.Tag}}" | sort');
    expect(result.exitCode).toBe(0);
    for (const image of CATALOG_TAGS) expect(result.stdout).toContain(image);
    // Stored with their whole config: labels, and e.g. nginx's graceful stop signal.
    const config = await run(
      `docker inspect -f '{{index .Config.Labels "org.dockyard.built-locally"}} {{.Config.StopSignal}}' nginx`,
    );
    expect(config.stdout.trim()).toBe('true SIGQUIT');
  });

  it('runs hello-world (sudo is a no-op for root)', async () => {
    const result = await run('sudo docker run hello-world:latest');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Hello from Dockyard!');
    expect(result.stdout).toContain('你好');
  });

  it('keeps a detached busybox loop across runs: logs -t --tail 3, top, inspect, exec', async () => {
    const started = await run(
      'docker run -d --name ticker busybox /bin/sh -c "while true; do echo hello zzyy; sleep 1; done"',
    );
    expect(started.exitCode).toBe(0);
    await run('sleep 3');
    const logs = await run('docker logs -t --tail 3 ticker');
    const lines = logs.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z hello zzyy$/);
    expect((await run('docker top ticker')).stdout).toContain('while true');
    expect((await run("docker inspect -f '{{.State.Running}}' ticker")).stdout.trim()).toBe('true');
    expect((await run('docker exec ticker ls -l /tmp')).exitCode).toBe(0);
    expect((await run('docker ps --format "{{.Names}}"')).stdout).toContain('ticker');
  });

  it('copies files out of a container, commits it and shows its history', async () => {
    await run('docker exec ticker sh -c "echo from-container > /tmp/note.txt"');
    const copied = await run('docker cp ticker:/tmp/note.txt /root/note.txt && cat /root/note.txt');
    expect(copied.stdout.trim()).toBe('from-container');
    const committed = await run(
      'docker commit -m "add note" ticker mybusybox:1.0 && docker history mybusybox:1.0',
    );
    expect(committed.exitCode).toBe(0);
    expect(committed.stdout).toContain('add note');
    expect((await run('docker run --rm mybusybox:1.0 cat /tmp/note.txt')).stdout.trim()).toBe(
      'from-container',
    );
  });

  it('shares data through -v and --volumes-from', async () => {
    const result = await run(
      [
        'mkdir -p /root/hostdata',
        'docker run --name dc01 -v /root/hostdata:/data busybox sh -c "echo persisted > /data/f.txt"',
        'cat /root/hostdata/f.txt',
        'docker run --rm --volumes-from dc01 busybox cat /data/f.txt',
      ].join(' && '),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['persisted', 'persisted']);
  });

  it('builds with docker build -f from a heredoc Dockerfile, streaming progress as it happens', async () => {
    const code = [
      'mkdir -p /tmp/hello && cd /tmp/hello',
      "cat > mydockerfile <<'EOF'",
      'FROM busybox',
      'VOLUME ["/dataVolumeContainer1"]',
      'RUN echo built > /built.txt',
      'CMD ["cat", "/built.txt"]',
      'EOF',
      'docker build -f mydockerfile -t mybuild .',
      'docker run --rm mybuild',
    ].join('\n');
    const response = await playground.server.app.inject({
      method: 'POST',
      url: '/api/run',
      headers: { accept: 'text/event-stream' },
      payload: { runner: 'docker', code, session: playground.session },
    });
    expect(response.statusCode).toBe(200);
    const events = response.body
      .split('\n\n')
      .filter((event) => event.startsWith('event: stdout') || event.startsWith('event: stderr'));
    // BuildKit prints each step as it goes (on stderr): several chunks, not one at the end.
    expect(events.length).toBeGreaterThan(2);
    expect(response.body).toMatch(/#\d+ \[2\/2\] RUN echo built > \/built.txt/);
    expect(response.body).toContain('built');
    expect(response.body).toMatch(/event: exit\ndata: \{[^\n]*"exitCode":0/);
  });

  it(
    'serves nginx on a published port to curl, and redis answers PING',
    async () => {
      const web = await run(
        `docker run -d --name web -p 8080:80 nginx && ${waitUntil('curl -fs -o /dev/null http://localhost:8080/', 60)} && curl -s http://localhost:8080/`,
      );
      expect(web.stdout).toContain('Welcome to nginx!');
      const redis = await run(
        `docker run -d --name cache redis && ${waitUntil('docker exec cache redis-cli ping >/dev/null 2>&1', 60)} && docker exec cache redis-cli ping`,
      );
      expect(redis.stdout.trim().split('\n').at(-1)).toBe('PONG');
    },
    SERVICE_TEST_TIMEOUT_MS,
  );

  it(
    'starts mariadb with MARIADB_ROOT_PASSWORD and answers SELECT VERSION()',
    async () => {
      await run('docker run -d --name db -e MARIADB_ROOT_PASSWORD=secret mariadb');
      const query = 'docker exec db mariadb -uroot -psecret -e "SELECT VERSION()"';
      const result = await run(
        `${waitUntil(`${query} >/dev/null 2>&1`, 150)} || { docker logs db; exit 1; }; ${query}`,
      );
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toMatch(/10\.11\.\d+-MariaDB/);
      await run('docker rm -f db');
    },
    SERVICE_TEST_TIMEOUT_MS,
  );

  it(
    'starts tomcat with catalina.sh run: empty webapps, the default apps in webapps.dist',
    async () => {
      await run('docker run -d --name tc -p 8888:8080 tomcat');
      const probe = 'curl -s -o /dev/null -w "%{http_code}" http://localhost:8888/';
      const before = await run(`${waitUntil(`[ "$(${probe})" != 000 ]`, 90)} && ${probe}`);
      expect(before.stdout.trim()).toBe('404');
      // Tomcat deploys the copied ROOT app at its next autoDeploy scan (every 10 s) and takes a few seconds
      // more on one core: longer than one run may last, so the reader (here: the test) runs curl again.
      expect((await run('docker exec tc sh -c "cp -r webapps.dist/* webapps/"')).exitCode).toBe(0);
      let status = '';
      for (let attempt = 0; attempt < 12 && status !== '200'; attempt++) {
        const poll = await run(
          `for i in $(seq 1 28); do c=$(${probe}); [ "$c" = 200 ] && break; sleep 0.25; done; echo $c`,
        );
        status = poll.stdout.trim();
      }
      expect(status).toBe('200');
      await run('docker rm -f tc');
    },
    SERVICE_TEST_TIMEOUT_MS,
  );

  it('writes /etc/docker/daemon.json with sudo tee', async () => {
    const result = await run(
      `sudo mkdir -p /etc/docker && echo '{"registry-mirrors": ["https://mirror.example"]}' | sudo tee /etc/docker/daemon.json && cat /etc/docker/daemon.json`,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('mirror.example');
  });

  it('fails a pull of an image outside the catalog at once, with the daemon’s error and a hint', async () => {
    const result = await run('docker pull centos');
    expect(result.exitCode).not.toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toMatch(/Error response from daemon/);
    expect(result.stderr).toContain('hint: this playground is offline');
  });

  it('removes every container with docker rm -f $(docker ps -a -q)', async () => {
    const result = await run('docker rm -f $(docker ps -a -q) >/dev/null && docker ps -a -q | wc -l');
    expect(result.stdout.trim()).toBe('0');
  });
});
