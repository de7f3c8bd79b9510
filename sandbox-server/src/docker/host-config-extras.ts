/** Container host-config fields of Docker's API that dockerode's types lack, spread into a create body. */

/** The container's own cgroup namespace (`--cgroupns private`; API ≥ 1.41). */
export const PRIVATE_CGROUP_NAMESPACE: Record<string, string> = { CgroupnsMode: 'private' };

/** The API form of the CLI's `--security-opt systempaths=unconfined`. */
export const UNMASKED_SYSTEM_PATHS: Record<string, string[]> = { MaskedPaths: [], ReadonlyPaths: [] };
