/**
 * Labels put on every container the server creates. They let a server find
 * its own containers (to reap the ones it no longer tracks) and recognise the
 * leftovers of a server on this host that died without cleaning up, while
 * leaving alone the containers of another live server sharing the engine.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export const LABEL_MANAGED = 'dockyard.managed';
export const LABEL_INSTANCE = 'dockyard.instance';
export const LABEL_HOST = 'dockyard.host';
export const LABEL_PID = 'dockyard.pid';
/** What the container is for, e.g. `shell` or `playground`. */
export const LABEL_ROLE = 'dockyard.role';

export interface InstanceIdentity {
  /** Unique per server process. */
  readonly id: string;
  readonly host: string;
  readonly pid: number;
}

export function newInstanceIdentity(): InstanceIdentity {
  return { id: randomUUID(), host: hostname(), pid: process.pid };
}

export function instanceLabels(instance: InstanceIdentity, role: string): Record<string, string> {
  return {
    [LABEL_MANAGED]: 'true',
    [LABEL_INSTANCE]: instance.id,
    [LABEL_HOST]: instance.host,
    [LABEL_PID]: String(instance.pid),
    [LABEL_ROLE]: role,
  };
}

/** Docker `label` filter matching every container any Dockyard server created. */
export const MANAGED_FILTER = `${LABEL_MANAGED}=true`;

export function instanceFilter(instance: InstanceIdentity): string {
  return `${LABEL_INSTANCE}=${instance.id}`;
}
