/**
 * The cgroup v2 guest's console protocol (scripts/cgroup2-vm/guest-init), read by scripts/test-cgroup2.ts:
 *   DOCKYARD-STEP <text>
 *   DOCKYARD-CHECK ok|fail <name>: <detail>
 *   DOCKYARD-RESULT pass|fail[ (<why>)]
 * Everything else on the console (the kernel's messages) is not part of it.
 */

export type GuestLine =
  | { kind: 'step'; text: string }
  | { kind: 'check'; ok: boolean; name: string; detail: string }
  | { kind: 'result'; passed: boolean; text: string };

export interface GuestReport {
  checks: Extract<GuestLine, { kind: 'check' }>[];
  result: Extract<GuestLine, { kind: 'result' }> | undefined;
}

export function parseGuestLine(rawLine: string): GuestLine | undefined {
  // The serial console ends lines with \r\n.
  const line = rawLine.replace(/\r$/, '');
  const step = line.match(/^DOCKYARD-STEP (.*)$/);
  if (step) return { kind: 'step', text: step[1] ?? '' };
  const check = line.match(/^DOCKYARD-CHECK (ok|fail) ([\w-]+): ?(.*)$/);
  if (check)
    return { kind: 'check', ok: check[1] === 'ok', name: check[2] ?? '', detail: (check[3] ?? '').trim() };
  const result = line.match(/^DOCKYARD-RESULT (pass|fail)\b ?(.*)$/);
  if (result) return { kind: 'result', passed: result[1] === 'pass', text: (result[2] ?? '').trim() };
  return undefined;
}

/** Passed only when the guest said so after at least one check and no check failed. */
export function summarize(report: GuestReport): { passed: boolean; text: string } {
  const failed = report.checks.filter((check) => !check.ok).map((check) => check.name);
  const counts = `${report.checks.length - failed.length} of ${report.checks.length} checks passed`;
  if (report.result === undefined) {
    return { passed: false, text: `the guest stopped before it finished: ${counts} (see the console log)` };
  }
  if (report.result.passed && failed.length === 0 && report.checks.length > 0) {
    return { passed: true, text: `cgroup v2: ${counts}` };
  }
  const why = failed.length > 0 ? `failed: ${failed.join(', ')}` : report.result.text || 'no check ran';
  return { passed: false, text: `cgroup v2: ${counts}; ${why}` };
}
