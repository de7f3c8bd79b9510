import { describe, expect, it } from 'vitest';
import { type GuestReport, parseGuestLine, summarize } from '../../scripts/lib/cgroup2-report.ts';

describe('the cgroup v2 guest’s report', () => {
  it('reads steps, checks and the result from console lines, and nothing else', () => {
    expect(parseGuestLine('DOCKYARD-STEP starting dockerd\r')).toEqual({
      kind: 'step',
      text: 'starting dockerd',
    });
    expect(parseGuestLine('DOCKYARD-CHECK ok inner-docker-run: hello ')).toEqual({
      kind: 'check',
      ok: true,
      name: 'inner-docker-run',
      detail: 'hello',
    });
    expect(parseGuestLine('DOCKYARD-CHECK fail fork-bomb-in-a-run-is-bounded: runs=900')).toMatchObject({
      ok: false,
      name: 'fork-bomb-in-a-run-is-bounded',
    });
    expect(parseGuestLine('DOCKYARD-RESULT fail (1 failed, aborted)')).toEqual({
      kind: 'result',
      passed: false,
      text: '(1 failed, aborted)',
    });
    expect(parseGuestLine('[    1.234] DOCKYARD-CHECK ok spoofed: kernel line')).toBeUndefined();
    expect(parseGuestLine('Run /dockyard/guest-init as init process')).toBeUndefined();
  });

  it('passes only when the guest passed, every check passed and at least one ran', () => {
    const ok = { kind: 'check' as const, ok: true, name: 'a', detail: '' };
    const bad = { kind: 'check' as const, ok: false, name: 'b', detail: '' };
    const pass = { kind: 'result' as const, passed: true, text: '' };
    const report = (checks: GuestReport['checks'], result: GuestReport['result']) =>
      summarize({ checks, result });
    expect(report([ok], pass)).toEqual({ passed: true, text: 'cgroup v2: 1 of 1 checks passed' });
    expect(report([ok, bad], pass)).toEqual({
      passed: false,
      text: 'cgroup v2: 1 of 2 checks passed; failed: b',
    });
    expect(report([], pass).passed).toBe(false);
    expect(report([ok], undefined)).toEqual({
      passed: false,
      text: 'the guest stopped before it finished: 1 of 1 checks passed (see the console log)',
    });
  });
});
