/**
 * The one place the server reads its environment. Every variable is declared
 * once, in EnvSchema, with its default and bounds; the typed Config is derived
 * from it (RUN_TIMEOUT_MS becomes runTimeoutMs), validated at start-up (all
 * problems are reported at once) and frozen. A few variables are parsed into
 * richer values (lists, the proxy trust, the pull settings): DerivedConfig.
 * `.env.example` documents the same variables; a unit test keeps the two equal.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import {
  capacityDefaults,
  DEFAULT_PLAYGROUND_MEMORY_MIB,
  type HostCapacity,
  localCapacity,
} from './capacity-defaults.ts';
import { NODE_ID_PATTERN } from './cluster/session-id.ts';
import { PREVIEW_NODE_ID_MAX_LENGTH } from './previews/preview-host-label.ts';

/** What the schema shows as defaults; loadConfig derives them again for the engine's host. */
const LOCAL_DEFAULTS = capacityDefaults(localCapacity());
/** Three minutes: an image build on a busy 2-core machine took up to ~60 s of it. */
export const PLAYGROUND_RUN_TIMEOUT_DEFAULT_MS = 180_000;

const Int = (
  defaultValue: number,
  minimum: number,
  maximum: number,
  description: string,
  /** The default is derived from the host's cores and memory (capacity-defaults.ts): `.env.example` shows a 2-core, 24 GiB host's. */
  machineDependent = false,
) => Type.Integer({ default: defaultValue, minimum, maximum, description, machineDependent });

export const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', description: 'address to listen on' }),
  PORT: Int(4321, 0, 65535, 'port for the site and the API'),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  SITE_DIR: Type.String({ default: 'dist', description: 'built site to serve; the API works without it' }),
  CORS_ORIGINS: Type.String({
    default: '',
    description: 'comma-separated origins allowed to call /api from another site (empty: same origin only)',
  }),
  TRUST_PROXY: Type.String({
    default: 'false',
    pattern: '^(true|false|[0-9]{1,2}|[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/ ]+)*)$',
    description:
      'which X-Forwarded-For hops to believe: false, a hop count (1 = one proxy in front), or comma-separated proxy addresses/CIDRs',
  }),
  PUBLIC_HOSTS: Type.String({
    default: '',
    description:
      'comma-separated Host values (host:port) the server answers; empty: localhost, 127.0.0.1 and [::1] with PORT',
  }),
  AUTH_MODE: Type.Union([Type.Literal('none'), Type.Literal('token'), Type.Literal('proxy')], {
    default: 'none',
    description:
      'none: anyone may run; token: Authorization: Bearer; proxy: identity header from TRUST_PROXY addresses',
  }),
  AUTH_TOKENS: Type.String({
    default: '',
    description: 'AUTH_MODE=token: comma-separated name:token pairs (prefer AUTH_TOKENS_FILE)',
  }),
  AUTH_TOKENS_FILE: Type.String({
    default: '',
    description: 'AUTH_MODE=token: file with one name:token pair per line',
  }),
  AUTH_PROXY_HEADER: Type.String({
    default: 'x-forwarded-user',
    pattern: '^[A-Za-z0-9-]+$',
    description: 'AUTH_MODE=proxy: header carrying the signed-in user, set by the reverse proxy',
  }),
  HEALTH_SHOW_VERSIONS: Type.Boolean({
    default: false,
    description: 'include the engine version and runtimes in /api/health/ready',
  }),
  INSTANCE_ID_FILE: Type.String({
    default: '.dockyard/instance-id',
    description:
      "where the server keeps its instance id, so a restarted server reaps its predecessor's containers",
  }),

  DOCKER_SOCKET_PATH: Type.String({ default: '/var/run/docker.sock' }),
  DOCKER_CALL_TIMEOUT_MS: Int(15_000, 1_000, 120_000, 'upper bound for one Docker API call (not for runs)'),
  SANDBOX_RUNTIME: Type.Union([Type.Literal('auto'), Type.Literal('runc'), Type.Literal('runsc')], {
    default: 'runc',
    description: 'container runtime for sandboxes; auto = runsc (gVisor) when the engine has it',
  }),
  SHELL_IMAGE: Type.String({ default: 'dockyard/shell:latest' }),
  SHELL_POOL_SIZE: Int(
    LOCAL_DEFAULTS.SHELL_POOL_SIZE,
    0,
    64,
    'pre-started shell containers; 0 = fresh container per run',
    true,
  ),

  RUN_TIMEOUT_MS: Int(10_000, 100, 600_000, 'wall time of one shell run'),
  RUN_OUTPUT_LIMIT_BYTES: Int(64 * 1024, 1024, 16 * 1024 * 1024, 'stdout+stderr kept per run'),
  RUN_MEMORY_LIMIT_MIB: Int(128, 16, 16 * 1024, 'memory per sandbox; swap is not allowed beyond it'),
  RUN_PIDS_LIMIT: Int(64, 8, 4096, 'processes per sandbox'),
  RUN_CPU_LIMIT_MILLICORES: Int(1000, 100, 64_000, 'CPU per sandbox in thousandths of a core'),
  RUN_TMPFS_SIZE_MIB: Int(16, 1, 1024, 'size of each writable tmpfs (/tmp, home) in a sandbox'),
  RUN_CODE_LIMIT_BYTES: Int(16 * 1024, 1, 1024 * 1024, 'UTF-8 size of one snippet'),
  REQUEST_BODY_LIMIT_BYTES: Int(64 * 1024, 1024, 16 * 1024 * 1024, 'size of a request body'),

  RUN_CONCURRENCY: Int(LOCAL_DEFAULTS.RUN_CONCURRENCY, 1, 256, 'runs executing at once', true),
  RUN_QUEUE_LIMIT: Int(
    LOCAL_DEFAULTS.RUN_QUEUE_LIMIT,
    0,
    10_000,
    'runs waiting for a slot; beyond it: 429',
    true,
  ),
  RUN_CONCURRENCY_PER_CLIENT: Int(2, 1, 256, 'runs of one client executing at once'),
  RUN_QUEUE_LIMIT_PER_CLIENT: Int(
    2,
    0,
    10_000,
    'runs of one client waiting (for a slot or its session); beyond: 429',
  ),
  RATE_LIMIT_MAX: Int(120, 1, 1_000_000, 'API requests per client per window'),
  RATE_LIMIT_WINDOW_MS: Int(60_000, 1_000, 3_600_000, 'rate-limit window'),

  REAP_INTERVAL_MS: Int(60_000, 1_000, 3_600_000, 'how often stray labelled containers are removed'),

  PLAYGROUND_IMAGE: Type.String({ default: 'dockyard/playground:latest' }),
  PLAYGROUND_CATALOG_VOLUME: Type.String({
    default: 'dockyard-catalog',
    description:
      'volume with the offline image catalog (npm run images); empty: playgrounds start without it',
  }),
  PLAYGROUND_POOL_SIZE: Int(
    LOCAL_DEFAULTS.PLAYGROUND_POOL_SIZE,
    0,
    32,
    'booted playgrounds kept ready for new sessions; 0 = boot on demand',
    true,
  ),
  PLAYGROUND_MEMORY_LIMIT_MIB: Int(
    DEFAULT_PLAYGROUND_MEMORY_MIB,
    256,
    64 * 1024,
    'memory (no swap) of one playground, all inside it',
  ),
  PLAYGROUND_PIDS_LIMIT: Int(1024, 64, 65_536, 'processes of one playground, all inside it'),
  PLAYGROUND_CPU_LIMIT_MILLICORES: Int(1000, 100, 64_000, 'CPU of one playground'),
  // A playground run is real Docker work: an image build, a pull, `compose up`. Its output streams
  // as it comes and the reader can stop it at any time, so the limit only catches runs nobody watches.
  PLAYGROUND_RUN_TIMEOUT_MS: Int(
    PLAYGROUND_RUN_TIMEOUT_DEFAULT_MS,
    100,
    3_600_000,
    'wall time of one docker-runner run (builds, pulls, compose up)',
  ),
  // Everything written in a playground: the reader's files, the inner daemon's data root (tmpfs, counted
  // in its memory). 512 MiB was measured too small for the chapters' builds with the classic builder.
  PLAYGROUND_DISK_LIMIT_MIB: Int(
    1024,
    64,
    256 * 1024,
    "the playground's disk: everything written inside it (tmpfs, counted in its memory)",
  ),
  PLAYGROUND_ALLOW_PULL: Type.Boolean({
    default: false,
    description:
      "let playgrounds' daemons pull images that are not in the catalog (from Docker Hub, or only from PLAYGROUND_REGISTRY_MIRROR)",
  }),
  PLAYGROUND_REGISTRY_MIRROR: Type.String({
    default: '',
    pattern: '^$|^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$',
    description:
      'pull-through registry mirror (http[s]://host[:port]) the only registry playgrounds may pull from',
  }),
  PLAYGROUND_PULL_NETWORK: Type.String({
    default: 'bridge',
    description: 'Docker network through which a playground reaches the registry when pulls are allowed',
  }),
  SESSION_IDLE_TIMEOUT_MS: Int(
    10 * 60_000,
    1_000,
    24 * 3_600_000,
    'a session without runs for this long ends',
  ),
  SESSION_MAX_LIFETIME_MS: Int(
    30 * 60_000,
    1_000,
    7 * 24 * 3_600_000,
    'a session ends this long after it began',
  ),
  SESSION_LIMIT: Int(
    LOCAL_DEFAULTS.SESSION_LIMIT,
    1,
    1_000,
    'live sessions (and session-less docker runs) per server; beyond it: 429',
    true,
  ),
  SESSION_LIMIT_PER_CLIENT: Int(
    2,
    1,
    1_000,
    'live sessions (and session-less docker runs) per client; beyond it: 429',
  ),
  TERMINAL_IDLE_TIMEOUT_MS: Int(
    10 * 60_000,
    1_000,
    24 * 3_600_000,
    'a terminal nothing was typed into for this long ends',
  ),
  TERMINAL_GRACE_MS: Int(
    60_000,
    0,
    3_600_000,
    'how long a terminal whose connection dropped is kept for the reader to reconnect',
  ),
  TERMINAL_LIMIT_PER_SESSION: Int(2, 1, 100, 'open terminals per playground session'),
  TERMINAL_LIMIT_PER_CLIENT: Int(4, 1, 1_000, 'open terminals per client'),

  PREVIEW_PORT: Int(
    0,
    0,
    65535,
    "port of the preview listener showing what playgrounds' published ports serve; 0 = a free one, named in the links",
  ),
  PREVIEW_HOST: Type.String({
    default: '',
    description: 'address of the preview listener; empty = HOST',
  }),
  PREVIEW_ORIGIN: Type.String({
    default: '',
    pattern: '^$|^https?://[a-z0-9.-]+(:[0-9]{1,5})?$',
    description:
      'origin readers reach the preview listener by; a link is <scheme>://<token>.<host>[:port]/ (wildcard DNS and certificate); empty = http://localhost:PREVIEW_PORT',
  }),
  PREVIEW_RESPONSE_LIMIT_BYTES: Int(
    16 * 1024 * 1024,
    1024,
    1024 * 1024 * 1024,
    'size of one preview response body; beyond it the response is cut off',
  ),
  PREVIEW_TIMEOUT_MS: Int(30_000, 1_000, 600_000, 'wall time of one preview request'),
  PREVIEW_REQUESTS_PER_SESSION: Int(
    8,
    1,
    256,
    "preview requests into one session's playground at once; beyond: 429",
  ),

  METRICS_PORT: Int(
    0,
    0,
    65535,
    'serve /metrics on this port (on METRICS_HOST) instead of the main one; 0 = on the main port',
  ),
  METRICS_HOST: Type.String({ default: '127.0.0.1', description: 'address of the METRICS_PORT listener' }),
  METRICS_TOKEN: Type.String({
    default: '',
    description: '/metrics wants `Authorization: Bearer <this>`; empty = no token',
  }),

  // Scale-out (docs/scale-out.md): several nodes behind one load balancer.
  NODE_ID: Type.String({
    default: '',
    pattern: `^$|${NODE_ID_PATTERN}`,
    description: `this node's name in session ids (<node>.<secret>) and preview links (<token>-<node>.<preview host>) the load balancer routes by, at most ${PREVIEW_NODE_ID_MAX_LENGTH} characters; empty: derived from the instance id, previews unrouted`,
  }),
  REDIS_URL: Type.String({
    default: '',
    pattern: '^$|^rediss?://',
    description:
      'Redis/Valkey the nodes share for rate limits and per-client quotas (redis://host:port/db); empty: in memory',
  }),
  // A shell run's whole wall time (RUN_TIMEOUT_MS); with closing (≤ 20 s) it fits a 30 s stop grace period.
  DRAIN_TIMEOUT_MS: Int(
    10_000,
    0,
    3_600_000,
    'on SIGTERM: how long runs in flight may take to finish before the node ends its sessions and exits',
  ),
});

type Env = Static<typeof EnvSchema>;

/** RUN_TIMEOUT_MS → runTimeoutMs */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;

/** Variables that are parsed into a richer value (DerivedConfig) instead of being passed on as they are. */
type ParsedVariables =
  | 'CORS_ORIGINS'
  | 'TRUST_PROXY'
  | 'PUBLIC_HOSTS'
  | 'AUTH_TOKENS'
  | 'AUTH_TOKENS_FILE'
  | 'PLAYGROUND_ALLOW_PULL'
  | 'PLAYGROUND_REGISTRY_MIRROR'
  | 'PLAYGROUND_PULL_NETWORK';

type PlainConfig = { readonly [K in Exclude<keyof Env, ParsedVariables> as CamelCase<K>]: Env[K] };

/** Which X-Forwarded-For hops to believe; fastify's `trustProxy` option takes it as it is. */
export type TrustProxySetting = false | number | readonly string[];

interface DerivedConfig {
  readonly corsOrigins: readonly string[];
  readonly trustProxy: TrustProxySetting;
  /** Host header values (lower case, with port) the server answers; empty: the loopback names with its port. */
  readonly publicHosts: readonly string[];
  /** AUTH_MODE=token: SHA-256 of each token, by the name of its holder. */
  readonly authTokenHashes: ReadonlyMap<string, Buffer>;
  /** Registry pulls from playgrounds; null: offline (the default). */
  readonly playgroundPull: PlaygroundPullConfig | null;
}

export type Config = PlainConfig & DerivedConfig;

export type SandboxRuntimeSetting = Env['SANDBOX_RUNTIME'];
export type AuthMode = Env['AUTH_MODE'];

export interface PlaygroundPullConfig {
  /** The mirror URL, or null to pull from Docker Hub itself. */
  readonly registryMirror: string | null;
  /** Host names the playground's proxy lets through (CONNECT and plain HTTP). */
  readonly hosts: readonly string[];
  /** Ports it lets CONNECT go to. */
  readonly ports: readonly number[];
  readonly network: string;
}

/**
 * Where `docker pull` from Docker Hub goes: the registry, its token service and the blob storage it
 * redirects to (anonymous pulls: Cloudflare R2), as Docker's firewall allow-list documents them.
 */
export const DOCKER_HUB_HOSTS: readonly string[] = [
  'registry-1.docker.io',
  'auth.docker.io',
  'production.cloudflare.docker.com',
  'production.cloudfront.docker.com',
  'docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com',
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the variables named in EnvSchema from `env`; throws ConfigError listing every invalid one. The
 * machine-dependent defaults are derived for `host`, the host the containers run on.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  host: HostCapacity = localCapacity(),
): Config {
  // SESSION_LIMIT follows the playground memory limit in force; an invalid one is refused below.
  const playgroundMemoryMib = Number(env.PLAYGROUND_MEMORY_LIMIT_MIB) || DEFAULT_PLAYGROUND_MEMORY_MIB;
  const raw: Record<string, unknown> = {
    ...capacityDefaults(host, playgroundMemoryMib),
  } satisfies Partial<Record<keyof Env, number>>;
  for (const name of Object.keys(EnvSchema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  const problems = [...Value.Errors(EnvSchema, converted)].map(
    (error) =>
      `${error.instancePath.slice(1) || 'environment'} ${error.message} (got ${valueAt(converted, error.instancePath)})`,
  );
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const e = converted as Env;
  const derived = derive(e, problems);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const plain: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(e)) {
    if (!PARSED.has(name)) plain[camelCase(name)] = value;
  }
  return Object.freeze({ ...(plain as PlainConfig), ...derived });
}

const PARSED: ReadonlySet<string> = new Set<ParsedVariables>([
  'CORS_ORIGINS',
  'TRUST_PROXY',
  'PUBLIC_HOSTS',
  'AUTH_TOKENS',
  'AUTH_TOKENS_FILE',
  'PLAYGROUND_ALLOW_PULL',
  'PLAYGROUND_REGISTRY_MIRROR',
  'PLAYGROUND_PULL_NETWORK',
]);

function camelCase(name: string): string {
  return name.toLowerCase().replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

function derive(e: Env, problems: string[]): DerivedConfig {
  if (e.PLAYGROUND_REGISTRY_MIRROR !== '' && !e.PLAYGROUND_ALLOW_PULL) {
    problems.push('PLAYGROUND_REGISTRY_MIRROR is set but PLAYGROUND_ALLOW_PULL is not true');
  }
  if (e.TRUST_PROXY === 'true') {
    problems.push(
      'TRUST_PROXY=true would believe the left-most X-Forwarded-For entry, which any client writes; set the number of proxies in front (1) or their addresses',
    );
  }
  const trustProxy = parseTrustProxy(e.TRUST_PROXY);
  if (e.AUTH_MODE === 'proxy' && !Array.isArray(trustProxy)) {
    problems.push(
      'AUTH_MODE=proxy needs TRUST_PROXY to list the proxy addresses (the identity header is believed only from them)',
    );
  }
  if (e.PREVIEW_ORIGIN !== '' && e.PREVIEW_PORT === 0) {
    problems.push(
      'PREVIEW_ORIGIN is set but PREVIEW_PORT is 0: its reverse proxy needs a fixed port to forward to',
    );
  }
  if (e.NODE_ID.length > PREVIEW_NODE_ID_MAX_LENGTH) {
    problems.push(
      `NODE_ID has ${e.NODE_ID.length} characters, at most ${PREVIEW_NODE_ID_MAX_LENGTH} fit: a preview link's first host label is <32-character token>-<NODE_ID>, and a DNS label holds 63`,
    );
  }
  const authTokenHashes = readTokens(e, problems);
  if (e.AUTH_MODE === 'token' && authTokenHashes.size === 0) {
    problems.push('AUTH_MODE=token needs AUTH_TOKENS_FILE or AUTH_TOKENS with at least one name:token pair');
  }
  return {
    corsOrigins: Object.freeze(list(e.CORS_ORIGINS)),
    trustProxy,
    publicHosts: Object.freeze(list(e.PUBLIC_HOSTS).map((host) => host.toLowerCase())),
    authTokenHashes,
    playgroundPull: e.PLAYGROUND_ALLOW_PULL
      ? pullConfig(e.PLAYGROUND_REGISTRY_MIRROR, e.PLAYGROUND_PULL_NETWORK)
      : null,
  };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseTrustProxy(value: string): TrustProxySetting {
  if (value === 'false' || value === 'true') return false;
  if (/^[0-9]+$/.test(value)) return Number(value);
  return Object.freeze(list(value));
}

/** Minimum length of a token: guessing one must be hopeless. */
const MIN_TOKEN_LENGTH = 16;

function readTokens(e: Env, problems: string[]): ReadonlyMap<string, Buffer> {
  const pairs = list(e.AUTH_TOKENS);
  if (e.AUTH_TOKENS_FILE !== '') {
    try {
      pairs.push(
        ...readFileSync(e.AUTH_TOKENS_FILE, 'utf8')
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '' && !line.startsWith('#')),
      );
    } catch (error) {
      problems.push(`AUTH_TOKENS_FILE cannot be read: ${(error as Error).message}`);
    }
  }
  const hashes = new Map<string, Buffer>();
  for (const [index, pair] of pairs.entries()) {
    const colon = pair.indexOf(':');
    const name = pair.slice(0, colon);
    const token = pair.slice(colon + 1);
    if (colon < 1 || token.length < MIN_TOKEN_LENGTH) {
      problems.push(
        `auth token #${index + 1} must be name:token with a token of at least ${MIN_TOKEN_LENGTH} characters`,
      );
      continue;
    }
    hashes.set(name, hashToken(token));
  }
  return hashes;
}

/** Tokens are kept only as SHA-256 digests, compared in constant time (plugins/auth.ts). */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function pullConfig(mirror: string, network: string): PlaygroundPullConfig {
  if (mirror === '')
    return Object.freeze({ registryMirror: null, hosts: DOCKER_HUB_HOSTS, ports: [443], network });
  const url = new URL(mirror);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return Object.freeze({
    registryMirror: url.origin,
    hosts: Object.freeze([url.hostname]),
    ports: Object.freeze([port]),
    network,
  });
}

function valueAt(value: unknown, pointer: string): string {
  const name = pointer.slice(1);
  const field =
    name && typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : value;
  return JSON.stringify(field);
}
