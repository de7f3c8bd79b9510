/**
 * `npm run test:cgroup2` (opt-in; not part of `npm test` or CI): the playground on a real cgroup v2 host.
 * A machine that boots with cgroup v1 cannot try the playground's v2 path (playground-init,
 * setup_cgroup_v2) on itself, so this boots one that cannot do anything else: Debian's own kernel with
 * cgroup_no_v1=all (and systemd.unified_cgroup_hierarchy=1, for a systemd that is not there) in
 * qemu-system-x86, on a debootstrap root with Debian's docker.io as the playground's host engine.
 *
 * On this side: the root file system is built once (debootstrap from the Debian mirror in this machine's
 * apt sources; cached under .cache/cgroup2-vm), the playground image and the catalog's busybox go onto a
 * second disk (`docker save`, read inside with `docker load`), and the create body the server sends for a
 * playground (playgroundContainerOptions, with the limits of the isolation tests) is written into the
 * root. Inside, scripts/cgroup2-vm/guest-init starts the engine, creates the playground from that body,
 * drives it as the docker runner does and attacks its limits; it prints one line per check, which this
 * script echoes, and exits 0 only when every check passed. Without KVM, qemu emulates the CPU: expect
 * tens of minutes. Everything is bounded by CGROUP2_VM_TIMEOUT_MINUTES (default 75).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../sandbox-server/src/config.ts';
import { playgroundContainerOptions } from '../sandbox-server/src/playground/playground-container.ts';
import { type GuestReport, parseGuestLine, summarize } from './lib/cgroup2-report.ts';
import { debianMirrorFor } from './lib/debian-mirror.ts';

const ROOT = join(import.meta.dirname, '..');
const CACHE = join(ROOT, '.cache', 'cgroup2-vm');
const ROOTFS = join(CACHE, 'root');
const SUITE = 'bookworm';
/** The guest: a kernel with an initramfs, the host engine, and what guest-init calls. */
const GUEST_PACKAGES = [
  'linux-image-amd64',
  'initramfs-tools',
  'docker.io',
  'curl',
  'ca-certificates',
  'iproute2',
  'kmod',
  'procps',
];
const BUSYBOX_IMAGE = 'dockyard/catalog-busybox:latest';
/** The limits of tests/integration/playground/isolation.test.ts. */
const PIDS_LIMIT = 512;
const MEMORY_LIMIT_MIB = 512;
/** playground-init's reader_pids_percent: the share of the process limit runs/ and containers/ each get. */
const READER_PIDS_PERCENT = 75;
const CPU_LIMIT_MILLICORES = 1000;
/** docker's cpu.max period (µs) for --cpus. */
const CPU_PERIOD_US = 100_000;
const GUEST_MEMORY_MIB = 3072;
const GUEST_DISK_SIZE = '10G';
const VM_TIMEOUT_MINUTES = Number(process.env.CGROUP2_VM_TIMEOUT_MINUTES ?? 75);
/** How long a fork bomb may take to reach its limit under emulation. */
const BOMB_WAIT_SECONDS = 600;

const startedMs = performance.now();
const elapsed = () => `${((performance.now() - startedMs) / 1000).toFixed(0).padStart(5)} s`;
const say = (message: string) => console.log(`${elapsed()}  ${message}`);
mkdirSync(CACHE, { recursive: true });
const logPath = join(CACHE, 'build.log');
writeFileSync(logPath, '');

function run(command: string, args: string[], what: string): string {
  say(what);
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(logPath, `$ ${command} ${args.join(' ')}\n${result.stdout}${result.stderr}\n`, { flag: 'a' });
  if (result.status !== 0) {
    throw new Error(`${what} failed (${command} exit ${result.status ?? result.signal}); see ${logPath}`);
  }
  return result.stdout;
}

function requireTools(): void {
  if (process.getuid?.() !== 0) throw new Error('run as root: debootstrap and mkfs need it');
  const missing = [
    ['qemu-system-x86_64', 'qemu-system-x86'],
    ['debootstrap', 'debootstrap'],
    ['mkfs.ext4', 'e2fsprogs'],
    ['docker', 'docker.io'],
  ].filter(([tool]) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length > 0) {
    throw new Error(
      `missing tools; install them with: apt-get install ${missing.map(([, pkg]) => pkg).join(' ')}`,
    );
  }
}

/** The guest's root file system, built once per package list. */
function ensureRootfs(): void {
  const stamp = join(ROOTFS, '.dockyard-packages');
  const wanted = `${SUITE} ${GUEST_PACKAGES.join(',')}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
    say(`guest root file system: cached (${ROOTFS})`);
    return;
  }
  const partial = `${ROOTFS}.partial`;
  rmSync(partial, { recursive: true, force: true });
  rmSync(ROOTFS, { recursive: true, force: true });
  run(
    'debootstrap',
    ['--variant=minbase', `--include=${GUEST_PACKAGES.join(',')}`, SUITE, partial, debianMirrorFor(SUITE)],
    `debootstrap ${SUITE} with ${GUEST_PACKAGES.join(', ')} (a few minutes)`,
  );
  writeFileSync(join(partial, '.dockyard-packages'), wanted);
  renameSync(partial, ROOTFS);
}

function bootFile(prefix: string): string {
  const name = readdirSync(join(ROOTFS, 'boot'))
    .filter((file) => file.startsWith(prefix))
    .sort()
    .at(-1);
  if (name === undefined)
    throw new Error(`no /boot/${prefix}* in the guest root: rebuild it (rm -r ${ROOTFS})`);
  return join(ROOTFS, 'boot', name);
}

/** What guest-init reads: the server's create body for a playground and the limits it must find. */
function writeGuestFiles(): void {
  const config = loadConfig({
    PLAYGROUND_IMAGE: process.env.PLAYGROUND_IMAGE ?? 'dockyard/playground:latest',
    PLAYGROUND_CATALOG_VOLUME: '',
    PLAYGROUND_PIDS_LIMIT: String(PIDS_LIMIT),
    PLAYGROUND_MEMORY_LIMIT_MIB: String(MEMORY_LIMIT_MIB),
    PLAYGROUND_CPU_LIMIT_MILLICORES: String(CPU_LIMIT_MILLICORES),
  });
  const dir = join(ROOTFS, 'dockyard');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'create.json'), JSON.stringify(playgroundContainerOptions(config)));
  const cpuQuotaUs = (CPU_LIMIT_MILLICORES * CPU_PERIOD_US) / 1000;
  writeFileSync(
    join(dir, 'settings'),
    [
      `PIDS_LIMIT=${PIDS_LIMIT}`,
      `PIDS_SHARE=${Math.floor((PIDS_LIMIT * READER_PIDS_PERCENT) / 100)}`,
      `MEMORY_BYTES=${MEMORY_LIMIT_MIB * 1024 * 1024}`,
      `CPU_QUOTA='${cpuQuotaUs} ${CPU_PERIOD_US}'`,
      `BUSYBOX_IMAGE=${BUSYBOX_IMAGE}`,
      `BOMB_WAIT_SECONDS=${BOMB_WAIT_SECONDS}`,
      '',
    ].join('\n'),
  );
  copyFileSync(join(ROOT, 'scripts', 'cgroup2-vm', 'guest-init'), join(dir, 'guest-init'));
  chmodSync(join(dir, 'guest-init'), 0o755);
}

/**
 * KVM only where the CPU has hardware virtualisation: a /dev/kvm without it (a paravirtual one, as on
 * some cloud sandboxes) accepts an ordinary guest kernel and then never gets it past its early boot.
 * Otherwise qemu emulates the CPU. One host thread for all guest CPUs: with one per CPU (thread=multi) the
 * guest's two CPUs spun in the kernel for minutes ("soft lockup", runc) at the first container start here.
 */
function accelerator(): string[] {
  const hardware = /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  if (hardware && existsSync('/dev/kvm')) return ['-accel', 'kvm', '-cpu', 'host'];
  return ['-accel', 'tcg,thread=single', '-cpu', 'max'];
}

/** Boots the guest; resolves with what it reported. */
function boot(rootDisk: string, imagesDisk: string): Promise<GuestReport> {
  const consolePath = join(CACHE, 'console.log');
  const consoleLog = createWriteStream(consolePath);
  say(`booting the cgroup v2 guest (console: ${consolePath}; limit ${VM_TIMEOUT_MINUTES} min)`);
  const qemu = spawn(
    'qemu-system-x86_64',
    [
      ...accelerator(),
      ...['-smp', '2', '-m', String(GUEST_MEMORY_MIB)],
      ...['-nographic', '-no-reboot', '-nic', 'none'],
      ...['-kernel', bootFile('vmlinuz-'), '-initrd', bootFile('initrd.img-')],
      '-append',
      'console=ttyS0 root=/dev/vda rw init=/dockyard/guest-init panic=-1 loglevel=5 ' +
        'cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1',
      ...['-drive', `file=${rootDisk},format=raw,if=virtio`],
      ...['-drive', `file=${imagesDisk},format=raw,if=virtio,readonly=on`],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const report: GuestReport = { checks: [], result: undefined };
  const timer = setTimeout(() => {
    say(`the guest did not finish within ${VM_TIMEOUT_MINUTES} min: stopping it`);
    qemu.kill('SIGKILL');
  }, VM_TIMEOUT_MINUTES * 60_000);
  qemu.stderr.pipe(consoleLog, { end: false });
  createInterface({ input: qemu.stdout }).on('line', (line) => {
    consoleLog.write(`${line}\n`);
    const parsed = parseGuestLine(line);
    if (parsed === undefined) return;
    if (parsed.kind === 'step') say(`guest: ${parsed.text}`);
    if (parsed.kind === 'check') {
      report.checks.push(parsed);
      say(`${parsed.ok ? '✓' : '✗'} ${parsed.name}: ${parsed.detail}`);
    }
    if (parsed.kind === 'result') report.result = parsed;
  });
  return new Promise((resolve) =>
    qemu.once('close', () => {
      clearTimeout(timer);
      consoleLog.end();
      resolve(report);
    }),
  );
}

try {
  requireTools();
  ensureRootfs();
  writeGuestFiles();
  const imagesDisk = join(CACHE, 'images.tar');
  const playgroundImage = process.env.PLAYGROUND_IMAGE ?? 'dockyard/playground:latest';
  run(
    'docker',
    ['save', '-o', imagesDisk, playgroundImage, BUSYBOX_IMAGE],
    `docker save ${playgroundImage} ${BUSYBOX_IMAGE}`,
  );
  const rootDisk = join(CACHE, 'root.img');
  rmSync(rootDisk, { force: true });
  run(
    'mkfs.ext4',
    ['-q', '-F', '-L', 'cgroup2-guest', '-d', ROOTFS, rootDisk, GUEST_DISK_SIZE],
    'making the guest disk',
  );
  const report = await boot(rootDisk, imagesDisk);
  const verdict = summarize(report);
  say(verdict.text);
  process.exitCode = verdict.passed ? 0 : 1;
} catch (error) {
  console.error(`✗ ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
