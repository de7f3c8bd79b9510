/**
 * The TCP ports a playground's containers publish (`docker run -p 8080:80`), read from the inner
 * engine's container list (`GET /containers/json` on its socket, as `docker ps` does) with an exec of
 * curl inside the playground: the server never reaches the inner engine any other way, and the
 * playground has no network to reach it by.
 */
import type { Engine } from '../docker/engine.ts';
import { BadGatewayError } from '../errors.ts';
import { PLAYGROUND_ENV, PLAYGROUND_EXEC } from '../playground/playground-container.ts';

export interface PublishedPort {
  /** The port on the playground's own address (`8080` of `-p 8080:80`). */
  port: number;
  /** The address it is bound to inside the playground; a wildcard is reached on loopback. */
  address: string;
  /** The first container publishing it, by name. */
  container: string;
  /** The container's own port (`80` of `-p 8080:80`). */
  containerPort: number;
}

/** The inner engine's socket, where playground-inner-init starts dockerd. */
const INNER_ENGINE_SOCKET = '/var/run/docker.sock';
/** A container list of a busy playground is a few KiB; anything far beyond is not one. */
const LIST_LIMIT_BYTES = 1024 * 1024;
const LIST_TIMEOUT_S = 10;

interface InnerPort {
  IP?: string;
  PrivatePort?: number;
  PublicPort?: number;
  Type?: string;
}

interface InnerContainer {
  Names?: string[];
  Ports?: InnerPort[];
}

export async function listPublishedPorts(engine: Engine, playgroundId: string): Promise<PublishedPort[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  const { exitCode } = await engine.exec(playgroundId, {
    cmd: [
      PLAYGROUND_EXEC,
      'curl',
      '--silent',
      '--show-error',
      '--max-time',
      String(LIST_TIMEOUT_S),
      '--unix-socket',
      INNER_ENGINE_SOCKET,
      'http://inner-engine/containers/json',
    ],
    env: [...PLAYGROUND_ENV],
    onOutput: (stream, chunk) => {
      if (stream !== 'stdout' || size >= LIST_LIMIT_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
    },
  });
  if (exitCode !== 0 || size >= LIST_LIMIT_BYTES) {
    throw new BadGatewayError("the playground's Docker engine did not list its containers");
  }
  return publishedPortsOf(JSON.parse(Buffer.concat(chunks).toString('utf8')) as InnerContainer[]);
}

/** One entry per published TCP port (Docker lists a port once per address family), lowest port first. */
export function publishedPortsOf(containers: readonly InnerContainer[]): PublishedPort[] {
  const byPort = new Map<number, PublishedPort>();
  for (const container of containers) {
    for (const published of container.Ports ?? []) {
      const port = published.PublicPort;
      if (published.Type !== 'tcp' || port === undefined || byPort.has(port)) continue;
      byPort.set(port, {
        port,
        address: reachableAddress(published.IP ?? ''),
        container: (container.Names?.[0] ?? '').replace(/^\//, ''),
        containerPort: published.PrivatePort ?? port,
      });
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

/** A port bound to every address (or to IPv6 ones) is reached on IPv4 loopback, where docker-proxy listens too. */
function reachableAddress(ip: string): string {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && ip !== '0.0.0.0' ? ip : '127.0.0.1';
}
