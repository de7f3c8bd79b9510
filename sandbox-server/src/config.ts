/**
 * The one place the server reads its environment. Every variable is declared
 * here with its default and bounds, validated at start-up (all problems are
 * reported at once), and exposed as a typed, frozen object. `.env.example` at
 * the repository root documents the same variables.
 */
import { availableParallelism } from 'node:os';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

const CORES = availableParallelism();

const Int = (defaultValue: number, minimum: number, maximum: number, description: string) =>
  Type.Integer({ default: defaultValue, minimum, maximum, description });

const EnvSchema = Type.Object({
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
  TRUST_PROXY: Type.Boolean({ default: false, description: 'take the client IP from X-Forwarded-For' }),

  DOCKER_SOCKET_PATH: Type.String({ default: '/var/run/docker.sock' }),
  DOCKER_CALL_TIMEOUT_MS: Int(15_000, 1_000, 120_000, 'upper bound for one Docker API call (not for runs)'),
  SANDBOX_RUNTIME: Type.Union([Type.Literal('auto'), Type.Literal('runc'), Type.Literal('runsc')], {
    default: 'runc',
    description: 'container runtime for sandboxes; auto = runsc (gVisor) when the engine has it',
  }),
  SHELL_IMAGE: Type.String({ default: 'dockyard/shell:latest' }),
  SHELL_POOL_SIZE: Int(
    Math.min(4, 2 * CORES),
    0,
    64,
    'pre-started shell containers; 0 = fresh container per run',
  ),

  RUN_TIMEOUT_MS: Int(10_000, 100, 600_000, 'wall time of one run'),
  RUN_OUTPUT_LIMIT_BYTES: Int(64 * 1024, 1024, 16 * 1024 * 1024, 'stdout+stderr kept per run'),
  RUN_MEMORY_LIMIT_MIB: Int(128, 16, 16 * 1024, 'memory per sandbox; swap is not allowed beyond it'),
  RUN_PIDS_LIMIT: Int(64, 8, 4096, 'processes per sandbox'),
  RUN_CPU_LIMIT_MILLICORES: Int(1000, 100, 64_000, 'CPU per sandbox in thousandths of a core'),
  RUN_TMPFS_SIZE_MIB: Int(16, 1, 1024, 'size of each writable tmpfs (/tmp, home) in a sandbox'),
  RUN_CODE_LIMIT_BYTES: Int(16 * 1024, 1, 1024 * 1024, 'UTF-8 size of one snippet'),
  REQUEST_BODY_LIMIT_BYTES: Int(64 * 1024, 1024, 16 * 1024 * 1024, 'size of a request body'),

  RUN_CONCURRENCY: Int(2 * CORES, 1, 256, 'runs executing at once'),
  RUN_QUEUE_LIMIT: Int(4 * CORES, 0, 10_000, 'runs waiting for a slot; beyond it: 429'),
  RATE_LIMIT_MAX: Int(120, 1, 1_000_000, 'API requests per client IP per window'),
  RATE_LIMIT_WINDOW_MS: Int(60_000, 1_000, 3_600_000, 'rate-limit window'),

  REAP_INTERVAL_MS: Int(60_000, 1_000, 3_600_000, 'how often stray labelled containers are removed'),

  PLAYGROUND_IMAGE: Type.String({ default: 'dockyard/playground:latest' }),
  PLAYGROUND_CATALOG_VOLUME: Type.String({
    default: 'dockyard-catalog',
    description:
      'volume with the offline image catalog (npm run images); empty: playgrounds start without it',
  }),
  PLAYGROUND_POOL_SIZE: Int(1, 0, 32, 'booted playgrounds kept ready for new sessions; 0 = boot on demand'),
  PLAYGROUND_MEMORY_LIMIT_MIB: Int(1536, 256, 64 * 1024, 'memory (no swap) of one playground, all inside it'),
  PLAYGROUND_PIDS_LIMIT: Int(1024, 64, 65_536, 'processes of one playground, all inside it'),
  PLAYGROUND_CPU_LIMIT_MILLICORES: Int(1000, 100, 64_000, 'CPU of one playground'),
  // Building FROM the largest catalog image (tomcat, ~530 MB) copies its layers into
  // the data root, as the dockerfile chapter does: 512 MiB was measured too small.
  PLAYGROUND_DISK_LIMIT_MIB: Int(
    1024,
    64,
    256 * 1024,
    "size of the inner daemon's data root (tmpfs, counted in its memory)",
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
  SESSION_LIMIT: Int(Math.max(2, CORES * 2), 1, 1_000, 'live sessions per server; beyond it: 429'),
  SESSION_LIMIT_PER_CLIENT: Int(2, 1, 1_000, 'live sessions per client IP; beyond it: 429'),
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
  TERMINAL_LIMIT_PER_CLIENT: Int(4, 1, 1_000, 'open terminals per client IP'),
});

type Env = Static<typeof EnvSchema>;

export type SandboxRuntimeSetting = Env['SANDBOX_RUNTIME'];

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly siteDir: string;
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean;

  readonly dockerSocketPath: string;
  readonly dockerCallTimeoutMs: number;
  readonly sandboxRuntime: SandboxRuntimeSetting;
  readonly shellImage: string;
  readonly shellPoolSize: number;

  readonly runTimeoutMs: number;
  readonly runOutputLimitBytes: number;
  readonly runMemoryLimitMib: number;
  readonly runPidsLimit: number;
  readonly runCpuLimitMillicores: number;
  readonly runTmpfsSizeMib: number;
  readonly runCodeLimitBytes: number;
  readonly requestBodyLimitBytes: number;

  readonly runConcurrency: number;
  readonly runQueueLimit: number;
  readonly rateLimitMax: number;
  readonly rateLimitWindowMs: number;

  readonly reapIntervalMs: number;

  readonly playgroundImage: string;
  readonly playgroundCatalogVolume: string;
  readonly playgroundPoolSize: number;
  readonly playgroundMemoryLimitMib: number;
  readonly playgroundPidsLimit: number;
  readonly playgroundCpuLimitMillicores: number;
  readonly playgroundDiskLimitMib: number;
  /** Registry pulls from playgrounds; null: offline (the default). */
  readonly playgroundPull: PlaygroundPullConfig | null;
  readonly sessionIdleTimeoutMs: number;
  readonly sessionMaxLifetimeMs: number;
  readonly sessionLimit: number;
  readonly sessionLimitPerClient: number;
  readonly terminalIdleTimeoutMs: number;
  readonly terminalGraceMs: number;
  readonly terminalLimitPerSession: number;
  readonly terminalLimitPerClient: number;
}

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

/** Reads the variables named in EnvSchema from `env`; throws ConfigError listing every invalid one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(EnvSchema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw));
  const problems = [...Value.Errors(EnvSchema, converted)].map(
    (error) =>
      `${error.instancePath.slice(1) || 'environment'} ${error.message} (got ${valueAt(converted, error.instancePath)})`,
  );
  const e = converted as Env;
  if (problems.length === 0 && e.PLAYGROUND_REGISTRY_MIRROR !== '' && !e.PLAYGROUND_ALLOW_PULL) {
    problems.push('PLAYGROUND_REGISTRY_MIRROR is set but PLAYGROUND_ALLOW_PULL is not true');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    siteDir: e.SITE_DIR,
    corsOrigins: Object.freeze(
      e.CORS_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    ),
    trustProxy: e.TRUST_PROXY,
    dockerSocketPath: e.DOCKER_SOCKET_PATH,
    dockerCallTimeoutMs: e.DOCKER_CALL_TIMEOUT_MS,
    sandboxRuntime: e.SANDBOX_RUNTIME,
    shellImage: e.SHELL_IMAGE,
    shellPoolSize: e.SHELL_POOL_SIZE,
    runTimeoutMs: e.RUN_TIMEOUT_MS,
    runOutputLimitBytes: e.RUN_OUTPUT_LIMIT_BYTES,
    runMemoryLimitMib: e.RUN_MEMORY_LIMIT_MIB,
    runPidsLimit: e.RUN_PIDS_LIMIT,
    runCpuLimitMillicores: e.RUN_CPU_LIMIT_MILLICORES,
    runTmpfsSizeMib: e.RUN_TMPFS_SIZE_MIB,
    runCodeLimitBytes: e.RUN_CODE_LIMIT_BYTES,
    requestBodyLimitBytes: e.REQUEST_BODY_LIMIT_BYTES,
    runConcurrency: e.RUN_CONCURRENCY,
    runQueueLimit: e.RUN_QUEUE_LIMIT,
    rateLimitMax: e.RATE_LIMIT_MAX,
    rateLimitWindowMs: e.RATE_LIMIT_WINDOW_MS,
    reapIntervalMs: e.REAP_INTERVAL_MS,
    playgroundImage: e.PLAYGROUND_IMAGE,
    playgroundCatalogVolume: e.PLAYGROUND_CATALOG_VOLUME,
    playgroundPoolSize: e.PLAYGROUND_POOL_SIZE,
    playgroundMemoryLimitMib: e.PLAYGROUND_MEMORY_LIMIT_MIB,
    playgroundPidsLimit: e.PLAYGROUND_PIDS_LIMIT,
    playgroundCpuLimitMillicores: e.PLAYGROUND_CPU_LIMIT_MILLICORES,
    playgroundDiskLimitMib: e.PLAYGROUND_DISK_LIMIT_MIB,
    playgroundPull: e.PLAYGROUND_ALLOW_PULL
      ? pullConfig(e.PLAYGROUND_REGISTRY_MIRROR, e.PLAYGROUND_PULL_NETWORK)
      : null,
    sessionIdleTimeoutMs: e.SESSION_IDLE_TIMEOUT_MS,
    sessionMaxLifetimeMs: e.SESSION_MAX_LIFETIME_MS,
    sessionLimit: e.SESSION_LIMIT,
    sessionLimitPerClient: e.SESSION_LIMIT_PER_CLIENT,
    terminalIdleTimeoutMs: e.TERMINAL_IDLE_TIMEOUT_MS,
    terminalGraceMs: e.TERMINAL_GRACE_MS,
    terminalLimitPerSession: e.TERMINAL_LIMIT_PER_SESSION,
    terminalLimitPerClient: e.TERMINAL_LIMIT_PER_CLIENT,
  });
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
