/**
 * Labels put on every container the server creates. They let a server find
 * its own containers (to reap the ones it no longer tracks) and recognise the
 * leftovers of a server on this host that died without cleaning up, while
 * leaving alone the containers of another live server sharing the engine.
 *
 * The instance id is persisted (INSTANCE_ID_FILE): a server restarted in a
 * container is pid 1 on a fresh host name every time, so host + pid cannot
 * tell its predecessor's orphans apart from a live neighbour's; the id it
 * reads back can. Two live servers must therefore not share the file.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

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

/** A fresh identity, known to nobody else (tests, benchmarks). */
export function newInstanceIdentity(): InstanceIdentity {
  return { id: randomUUID(), host: hostname(), pid: process.pid };
}

const INSTANCE_ID = /^[0-9a-f-]{36}$/;

/** The identity kept in `file`: read back after a restart, created on the first start. */
export function persistedInstanceIdentity(file: string): InstanceIdentity {
  let id: string | undefined;
  try {
    id = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (id === undefined || !INSTANCE_ID.test(id)) {
    id = randomUUID();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${id}\n`, { mode: 0o600 });
  }
  return { id, host: hostname(), pid: process.pid };
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
