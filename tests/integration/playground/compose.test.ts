/**
 * Docker Compose v2 in a playground: a two-service app (a small Python web app counting visits in
 * Redis) written as a heredoc compose.yaml, brought up, asked with curl, inspected and taken down.
 */
import { describe, expect, it } from 'vitest';
import { usePlaygroundSession } from '../../support/playground-session.ts';

const playground = usePlaygroundSession();
const run = (code: string) => playground.run(code);

const WRITE_APP = String.raw`mkdir -p /srv/counter && cd /srv/counter
cat > app.py <<'EOF'
import socket
from http.server import BaseHTTPRequestHandler, HTTPServer


def incr(key):
    # One Redis command over its plain-text protocol: INCR answers ":<new value>".
    with socket.create_connection(("redis", 6379)) as conn:
        conn.sendall(f"INCR {key}\r\n".encode())
        return int(conn.recv(64).decode().strip().lstrip(":"))


class Counter(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"Hello from Docker! I have been seen {incr('hits')} times.\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("", 8000), Counter).serve_forever()
EOF
cat > compose.yaml <<'EOF'
services:
  web:
    image: python:3-slim
    command: python /app/app.py
    volumes:
      - ./app.py:/app/app.py:ro
    ports:
      - "8000:8000"
    depends_on:
      - redis
  redis:
    image: redis
EOF`;

describe('docker compose in a playground', () => {
  it('has the Compose v2 plugin', async () => {
    const result = await run('docker compose version');
    expect(result.stdout).toMatch(/^Docker Compose version v?2\./);
  });

  it('brings up web + redis from a heredoc compose.yaml, and the app counts visits', async () => {
    const up = await run(`${WRITE_APP}\ndocker compose up -d`);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/Container counter-redis-1\s+Started/);
    expect(up.stderr).toMatch(/Container counter-web-1\s+Started/);
    const visits = await run(
      [
        'end=$(( $(date +%s) + 60 ))',
        'until curl -fs http://localhost:8000/ >/dev/null; do [ "$(date +%s)" -lt "$end" ] || exit 1; sleep 0.5; done',
        'curl -s http://localhost:8000/',
        'curl -s http://localhost:8000/',
      ].join('\n'),
    );
    expect(visits.exitCode, visits.stderr).toBe(0);
    const counts = visits.stdout
      .trim()
      .split('\n')
      .map((line) => Number(/seen (\d+) times/.exec(line)?.[1]));
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBe((counts[0] ?? 0) + 1);
  });

  it('shows the services with ps, their logs, and runs commands in them by service name', async () => {
    const ps = await run(`cd /srv/counter && docker compose ps --format '{{.Service}} {{.State}}'`);
    expect(ps.stdout.trim().split('\n').sort()).toEqual(['redis running', 'web running']);
    const logs = await run('cd /srv/counter && docker compose logs web');
    expect(logs.stdout).toMatch(/web-1\s+\|.*"GET \/ HTTP\/1\.1" 200/);
    const exec = await run(
      [
        'cd /srv/counter',
        'docker compose exec -T redis redis-cli get hits',
        // Service names resolve over the project network.
        `docker compose exec -T web python -c "import socket; print(socket.gethostbyname('redis'))"`,
        'docker compose exec -T redis hostname -i',
      ].join(' && '),
    );
    expect(exec.exitCode, exec.stderr).toBe(0);
    const [hits, resolved, redisAddress] = exec.stdout.trim().split('\n');
    expect(Number(hits)).toBeGreaterThanOrEqual(2);
    expect(resolved).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(redisAddress?.trim()).toBe(resolved);
  });

  it('takes everything down again', async () => {
    const down = await run('cd /srv/counter && docker compose down');
    expect(down.exitCode, down.stderr).toBe(0);
    const left = await run(
      'docker ps -aq | wc -l; docker network ls --format "{{.Name}}" | grep -c counter_default',
    );
    expect(left.stdout.trim().split('\n')).toEqual(['0', '0']);
  });
});
