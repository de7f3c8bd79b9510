/**
 * What a playground is, as Docker create options: a Docker-in-Docker host for one reader, never
 * `--privileged`. The outer container gets the default capabilities plus SYS_ADMIN and NET_ADMIN and
 * keeps Docker's default seccomp profile; its init (images/playground/image) moves the inner daemon
 * and everything the reader runs into a user namespace whose root is an unprivileged host uid, so
 * those capabilities only ever act on namespaces the playground owns. Limits set here cover
 * everything inside (private cgroup namespace), and the inner data root is a size-capped tmpfs that
 * disappears with the container.
 */
import type { Config, PlaygroundPullConfig } from '../config.ts';
import type { ContainerCreateOptions } from '../docker/engine.ts';

/** Host uid that is root inside the playground's user namespace (/etc/subuid of images/playground/base). */
export const PLAYGROUND_INNER_ROOT_UID = 100_000;
/** Where the inner init links the catalog store from (playground-inner-init). */
export const CATALOG_MOUNT_PATH = '/catalog/docker';
/** Runs a command inside the playground's namespaces as its (unprivileged) root. */
export const PLAYGROUND_EXEC = '/usr/local/bin/playground-exec';
export const PLAYGROUND_ENV: readonly string[] = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'HOME=/root',
  'USER=root',
  'LANG=C.UTF-8',
  'TERM=xterm',
];

const MIB = 1024 * 1024;
/** In Docker's API since 1.41; dockerode's types lack it. */
const PRIVATE_CGROUP_NAMESPACE: Record<string, string> = { CgroupnsMode: 'private' };
/** The API form of the CLI's --security-opt systempaths=unconfined; dockerode's types lack it too. */
const UNMASKED_SYSTEM_PATHS: Record<string, string[]> = { MaskedPaths: [], ReadonlyPaths: [] };
/** Small tmpfs mounts: the inner daemon's run directory, the reader's home, /tmp. */
const RUN_TMPFS_MIB = 64;
const HOME_TMPFS_MIB = 256;

export function playgroundContainerOptions(config: Config): ContainerCreateOptions {
  const memoryBytes = config.playgroundMemoryLimitMib * MIB;
  const owner = `uid=${PLAYGROUND_INNER_ROOT_UID},gid=${PLAYGROUND_INNER_ROOT_UID}`;
  const pull = config.playgroundPull;
  return {
    Image: config.playgroundImage,
    Hostname: 'playground',
    // Read by the image's init only: the inner daemon and the reader never see this environment.
    Env: [...PLAYGROUND_ENV, ...(pull === null ? [] : pullEnv(pull))],
    // The inner network namespace never has a route out. Only when pulls are allowed does the outer one join
    // a network, used by nothing but the init's host-filtering proxy (playground-init).
    NetworkDisabled: pull === null,
    HostConfig: {
      NetworkMode: pull === null ? 'none' : pull.network,
      CapAdd: ['SYS_ADMIN', 'NET_ADMIN'],
      // No seccomp option: Docker's default profile applies (the image's runc wrapper copes with what it
      // refuses). apparmor=unconfined only matters on AppArmor hosts, whose docker-default profile forbids
      // every mount; empty masked/read-only path lists (the CLI's systempaths=unconfined) let the user namespace mount its own /proc and /sys, which
      // the kernel allows only where an unmasked one is visible.
      SecurityOpt: ['apparmor=unconfined'],
      ...UNMASKED_SYSTEM_PATHS,
      ...PRIVATE_CGROUP_NAMESPACE,
      Tmpfs: {
        '/run': `rw,nosuid,nodev,size=${RUN_TMPFS_MIB * MIB},${owner},mode=0755`,
        '/tmp': `rw,nosuid,nodev,size=${HOME_TMPFS_MIB * MIB},mode=1777`,
        '/root': `rw,nosuid,nodev,size=${HOME_TMPFS_MIB * MIB},${owner},mode=0700`,
        '/var/lib/docker': `rw,size=${config.playgroundDiskLimitMib * MIB},${owner},mode=0711`,
      },
      ...(config.playgroundCatalogVolume === ''
        ? {}
        : {
            Mounts: [
              {
                Type: 'volume' as const,
                Source: config.playgroundCatalogVolume,
                Target: CATALOG_MOUNT_PATH,
                ReadOnly: true,
              },
            ],
          }),
      Memory: memoryBytes,
      MemorySwap: memoryBytes,
      PidsLimit: config.playgroundPidsLimit,
      NanoCpus: config.playgroundCpuLimitMillicores * 1_000_000,
      Ulimits: [{ Name: 'core', Soft: 0, Hard: 0 }],
      IpcMode: 'private',
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
  };
}

function pullEnv(pull: PlaygroundPullConfig): string[] {
  return [
    `PLAYGROUND_PULL_HOSTS=${pull.hosts.join(' ')}`,
    `PLAYGROUND_PULL_PORTS=${pull.ports.join(' ')}`,
    ...(pull.registryMirror === null ? [] : [`PLAYGROUND_REGISTRY_MIRROR=${pull.registryMirror}`]),
  ];
}
