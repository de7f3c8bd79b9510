/**
 * What a playground is, as Docker create options: a Docker-in-Docker host for one reader, never
 * `--privileged`. The outer container gets the default capabilities plus SYS_ADMIN and NET_ADMIN and
 * keeps Docker's default seccomp profile; its init (images/playground/image) moves the inner daemon
 * and everything the reader runs into a user namespace whose root is an unprivileged host uid, so
 * those capabilities only ever act on namespaces the playground owns. Limits set here cover
 * everything inside (private cgroup namespace). The image is mounted read-only; everything written
 * inside — the reader's files anywhere in its root file system, the inner daemon's images, containers
 * and volumes — lands on one size-capped tmpfs, the playground's disk, which disappears with it.
 */
import type { Config, PlaygroundPullConfig } from '../config.ts';
import type { ContainerCreateOptions } from '../docker/engine.ts';
import { PRIVATE_CGROUP_NAMESPACE, UNMASKED_SYSTEM_PATHS } from '../docker/host-config-extras.ts';

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
/** The outer side's own state (cgroup mounts, the inner init's pid, the pull proxy's files): host root's. */
export const PLAYGROUND_STATE_PATH = '/var/lib/playground';
const STATE_TMPFS_MIB = 8;
/**
 * The playground's disk (playground-init): the upper layer of the reader's root file system and the inner
 * daemon's data root, so every byte written inside counts against PLAYGROUND_DISK_LIMIT_MIB.
 */
export const PLAYGROUND_DISK_PATH = `${PLAYGROUND_STATE_PATH}/disk`;

export function playgroundContainerOptions(config: Config): ContainerCreateOptions {
  const memoryBytes = config.playgroundMemoryLimitMib * MIB;
  const pull = config.playgroundPull;
  return {
    Image: config.playgroundImage,
    Hostname: 'playground',
    // Every process in the playground inherits this: the inner daemon (playground-inner-init unsets the pull
    // settings before starting it) and, through `docker exec`, the reader's runs. So it holds nothing secret:
    // the fixed PLAYGROUND_ENV and, when pulls are allowed, the registry hosts the proxy lets through.
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
      // The image's own file system stays read-only: nothing inside writes to the host's disk.
      ReadonlyRootfs: true,
      Tmpfs: {
        [PLAYGROUND_STATE_PATH]: `rw,nosuid,nodev,noexec,size=${STATE_TMPFS_MIB * MIB},mode=0755`,
        [PLAYGROUND_DISK_PATH]: `rw,size=${config.playgroundDiskLimitMib * MIB},mode=0755`,
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
