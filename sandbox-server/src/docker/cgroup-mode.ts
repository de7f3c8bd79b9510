/**
 * The engine host's cgroup mode, as the engine reports it (`docker info`, API 1.40 and later:
 * CgroupVersion, CgroupDriver). Playgrounds work on both: their init mounts the v1 hierarchies or the
 * unified v2 tree, whichever the host has (images/playground/image, playground-init). The mode decides
 * which of those two paths every playground takes, so the server logs it at start-up and shows it in
 * the health details and the metrics, where an operator looks first when playgrounds fail on one host
 * and not on another.
 */

export type CgroupVersion = 1 | 2;

export interface CgroupMode {
  /** null when the engine does not say (API older than 1.40). */
  version: CgroupVersion | null;
  /** cgroupfs or systemd; null when the engine does not say. */
  driver: string | null;
}

/** The fields of the engine's info answer this reads (strings in Docker's API). */
export interface EngineCgroupFields {
  CgroupVersion?: unknown;
  CgroupDriver?: unknown;
}

export function cgroupModeFromInfo(info: EngineCgroupFields): CgroupMode {
  const version = String(info.CgroupVersion ?? '').trim();
  const driver = typeof info.CgroupDriver === 'string' ? info.CgroupDriver.trim() : '';
  return {
    version: version === '1' ? 1 : version === '2' ? 2 : null,
    driver: driver === '' ? null : driver,
  };
}

/** One phrase for the start-up log line. */
export function describeCgroupMode(mode: CgroupMode): string {
  const driver = mode.driver === null ? '' : `, ${mode.driver} driver`;
  switch (mode.version) {
    case 1:
      return `cgroup v1 (one hierarchy per controller${driver})`;
    case 2:
      return `cgroup v2 (unified hierarchy${driver})`;
    default:
      return `cgroup version not reported by the engine (API older than 1.40${driver}); playgrounds detect it themselves`;
  }
}
