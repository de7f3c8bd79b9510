/**
 * What a shell sandbox is, as Docker create options: the hardening table of
 * the issue in one place. Its main process is the snippet wrapper
 * (images/shell/run-snippet, snippet-protocol.ts), waiting on stdin for the one snippet it will run as
 * the unprivileged user, with exactly SANDBOX_ENV as its environment — the
 * server's own environment never reaches a container.
 */
import type { Config } from '../config.ts';
import type { ContainerCreateOptions } from '../docker/engine.ts';
import { PRIVATE_CGROUP_NAMESPACE } from '../docker/host-config-extras.ts';
import { SNIPPET_WRAPPER } from '../runs/snippet-protocol.ts';

/** uid:gid of the `sandbox` user baked into images/shell/Dockerfile. */
export const SANDBOX_USER = '1000:1000';
export const SANDBOX_HOME = '/home/sandbox';
export const SANDBOX_ENV: readonly string[] = [
  'PATH=/usr/local/bin:/usr/bin:/bin',
  `HOME=${SANDBOX_HOME}`,
  'USER=sandbox',
  'LANG=C.UTF-8',
  'TERM=xterm-256color',
];

const MIB = 1024 * 1024;
/** Open files per process. */
const NOFILE_LIMIT = 1024;
/**
 * Under gVisor the pids cgroup holds the sandbox's own host threads (the Go
 * sentry and gofer), not the snippet's processes — those live inside the
 * sentry. With only RUN_PIDS_LIMIT the sentry cannot grow its thread pool and
 * dies at the first pipe (measured: `head -c 10 /dev/zero | wc -c` with 64).
 * Inside, runaway processes are then bounded by the memory limit.
 */
const RUNSC_THREADS_ALLOWANCE = 128;

export type SandboxRuntime = 'runc' | 'runsc';

export function shellContainerOptions(config: Config, runtime: SandboxRuntime): ContainerCreateOptions {
  const memoryBytes = config.runMemoryLimitMib * MIB;
  const tmpfsBytes = config.runTmpfsSizeMib * MIB;
  return {
    Image: config.shellImage,
    // Waits for the snippet on stdin, which the server attaches to before the start; the init reaps orphans.
    Cmd: [SNIPPET_WRAPPER],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: SANDBOX_USER,
    Env: [...SANDBOX_ENV],
    WorkingDir: SANDBOX_HOME,
    Hostname: 'sandbox',
    NetworkDisabled: true,
    HostConfig: {
      Runtime: runtime,
      Init: true,
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,size=${tmpfsBytes},mode=1777`,
        [SANDBOX_HOME]: `rw,nosuid,nodev,size=${tmpfsBytes},uid=1000,gid=1000,mode=0755`,
      },
      ShmSize: tmpfsBytes,
      Memory: memoryBytes,
      // Equal to Memory: no swap on top of it.
      MemorySwap: memoryBytes,
      PidsLimit: config.runPidsLimit + (runtime === 'runsc' ? RUNSC_THREADS_ALLOWANCE : 0),
      NanoCpus: config.runCpuLimitMillicores * 1_000_000,
      CapDrop: ['ALL'],
      // Docker's default seccomp profile applies as long as none is named here.
      SecurityOpt: ['no-new-privileges:true'],
      Ulimits: [
        { Name: 'nofile', Soft: NOFILE_LIMIT, Hard: NOFILE_LIMIT },
        { Name: 'fsize', Soft: tmpfsBytes, Hard: tmpfsBytes },
        { Name: 'core', Soft: 0, Hard: 0 },
      ],
      IpcMode: 'private',
      // Its own memory cgroup at /sys/fs/cgroup whatever the daemon's default: the wrapper reads its OOM
      // kill count there (run-snippet).
      ...PRIVATE_CGROUP_NAMESPACE,
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
  };
}
