import { describe, expect, it } from 'vitest';
import { runStrings } from '../../../site/run-block/strings.ts';

describe('run strings', () => {
  it('has every string in both languages', () => {
    expect(Object.keys(runStrings('zh-CN')).sort()).toEqual(Object.keys(runStrings('en')).sort());
  });

  it('picks Chinese for zh tags and English otherwise', () => {
    expect(runStrings('zh-CN').run).toBe('运行');
    expect(runStrings('zh').run).toBe('运行');
    expect(runStrings('en').run).toBe('Run');
    expect(runStrings('fr').run).toBe('Run');
    expect(runStrings(undefined).run).toBe('Run');
  });

  it('names the wait when the sandbox says how long', () => {
    expect(runStrings('en').busy(7)).toContain('7 s');
    expect(runStrings('zh-CN').busy(7)).toContain('7 秒');
    expect(runStrings('en').busy(undefined)).not.toMatch(/\d/);
  });
});
