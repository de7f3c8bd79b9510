import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  codeHash,
  detectRunner,
  dockerfileCommand,
  extractFences,
  extractRunnableBlocks,
  isMarkedRun,
  parseMeta,
  RunnableBlockError,
  runSpec,
} from '../../site/runnable-blocks.ts';

const FENCE = '```';

describe('parseMeta', () => {
  it('reads bare words, key=value and quoted values', () => {
    const options = parseMeta('run expect-error runner=docker title="笔记 原文" tag=\'my-img:v1\' {1,3}');
    expect(Object.fromEntries(options)).toEqual({
      run: true,
      'expect-error': true,
      runner: 'docker',
      title: '笔记 原文',
      tag: 'my-img:v1',
    });
  });

  it('does not take a word inside a quoted title for a flag', () => {
    expect(isMarkedRun('title="how to run it"')).toBe(false);
    expect(isMarkedRun('title="x" run')).toBe(true);
    expect(isMarkedRun('runner=docker')).toBe(false);
    expect(isMarkedRun('run=true')).toBe(true);
  });
});

describe('detectRunner', () => {
  it.each([
    ['docker ps', 'docker'],
    ['sudo docker run --rm hello-world', 'docker'],
    ['  docker images -q', 'docker'],
    ['echo hi && docker ps', 'docker'],
    ['for i in 1 2; do docker rm -f c$i; done', 'docker'],
    ['ids=$(docker ps -q)', 'docker'],
    ['DOCKER_BUILDKIT=0 docker build .', 'docker'],
    ['sudo -E docker info', 'docker'],
    ['if docker info >/dev/null; then echo up; fi', 'docker'],
    ['docker-compose up -d', 'docker'],
    ['docker \\\n  run --rm busybox', 'docker'],
  ] as const)('%j → %s', (code, runner) => {
    expect(detectRunner(code)).toBe(runner);
  });

  it.each([
    'echo "use docker for this"',
    'ls /etc/docker',
    'cat /var/lib/dockerd.log',
    'dockerd --version',
    '# docker ps would list containers\nuname -a',
    'sudo tee /etc/docker/daemon.json <<EOF\n{"registry-mirrors": []}\nEOF',
    "cat > run.sh <<'EOF'\ndocker ps\nEOF\nls",
    'grep docker /etc/group',
  ])('%j → shell', (code) => {
    expect(detectRunner(code)).toBe('shell');
  });
});

describe('runSpec', () => {
  it('is undefined for blocks not marked run', () => {
    expect(runSpec({ lang: 'sh', meta: 'title="笔记原文"', code: 'docker ps' })).toBeUndefined();
  });

  it('detects the runner, honours runner= and expect-error, and hashes the code as written', () => {
    expect(runSpec({ lang: 'sh', meta: 'run', code: 'docker ps' })).toEqual({
      runner: 'docker',
      command: 'docker ps',
      expectError: false,
      hash: codeHash('docker ps'),
    });
    expect(runSpec({ lang: 'bash', meta: 'run runner=docker expect-error', code: 'ls /x' })).toMatchObject({
      runner: 'docker',
      expectError: true,
    });
    expect(runSpec({ lang: 'sh', meta: 'run runner=shell', code: 'docker ps' })?.runner).toBe('shell');
  });

  it('turns a Dockerfile into a build in the playground and one run of the image', () => {
    const spec = runSpec({
      lang: 'dockerfile',
      meta: 'run tag=hello-mine',
      code: 'FROM busybox\nCMD ["echo", "hi"]',
    });
    expect(spec?.runner).toBe('docker');
    expect(spec?.hash).toBe(codeHash('FROM busybox\nCMD ["echo", "hi"]'));
    expect(spec?.command).toContain('docker build -t hello-mine -f - "$(mktemp -d)"');
    expect(spec?.command).toContain('docker run --rm hello-mine');
  });

  it('rejects what cannot run as written', () => {
    expect(() => runSpec({ lang: 'yaml', meta: 'run', code: 'a: 1' })).toThrow(RunnableBlockError);
    expect(() => runSpec({ lang: 'sh', meta: 'run runner=gpu', code: 'ls' })).toThrow(/runner=gpu/);
    expect(() => runSpec({ lang: 'dockerfile', meta: 'run runner=shell', code: 'FROM busybox' })).toThrow();
    expect(() => runSpec({ lang: 'dockerfile', meta: 'run tag=Bad;rm', code: 'FROM busybox' })).toThrow(
      /tag=/,
    );
    expect(() => runSpec({ lang: 'sh', meta: 'run', code: '  ' })).toThrow(/empty/);
  });
});

describe('dockerfileCommand', () => {
  it('is a shell script that feeds the Dockerfile on stdin and survives a delimiter in it', () => {
    const dockerfile = 'FROM busybox\nRUN echo DOCKYARD_DOCKERFILE';
    const script = dockerfileCommand(dockerfile, { tag: 't1', context: '/tmp/ctx' });
    expect(script).toBe(
      [
        'set -e',
        'mkdir -p /tmp/ctx',
        "docker build -t t1 -f - /tmp/ctx <<'DOCKYARD_DOCKERFILE'",
        'FROM busybox',
        'RUN echo DOCKYARD_DOCKERFILE',
        'DOCKYARD_DOCKERFILE',
        'docker run --rm t1',
      ].join('\n'),
    );
    const tricky = dockerfileCommand('FROM busybox\nDOCKYARD_DOCKERFILE');
    expect(tricky).toContain("<<'DOCKYARD_DOCKERFILE_'");
  });

  it('passes the Dockerfile through a real shell unchanged', () => {
    const dockerfile = 'FROM busybox\nENV A=$HOME B=`x` C="$(y)"\nCMD ["sh", "-c", "echo $A"]';
    const script = dockerfileCommand(dockerfile, { context: '/tmp/ctx' }).replace(
      /^docker /gm,
      'fake_docker ',
    );
    const stdin = execFileSync(
      'sh',
      ['-c', `fake_docker() { [ "$1" = build ] && cat || true; }\n${script}`],
      {
        encoding: 'utf8',
      },
    );
    expect(stdin).toBe(`${dockerfile}\n`);
  });
});

describe('extractFences', () => {
  it('returns code exactly as between the fence lines, with line numbers', () => {
    const mdx = [
      '# t',
      '',
      `${FENCE}sh run`,
      'echo a',
      '',
      'echo b',
      FENCE,
      '',
      `${FENCE}text output`,
      'a',
      FENCE,
    ].join('\n');
    expect(extractFences(mdx)).toEqual([
      { lang: 'sh', meta: 'run', code: 'echo a\n\necho b', line: 3, endLine: 7 },
      { lang: 'text', meta: 'output', code: 'a', line: 9, endLine: 11 },
    ]);
  });

  it('removes the fence indentation (list items) and ignores fences nested in a longer fence', () => {
    const mdx = [
      '1. Step',
      `   ${FENCE}sh run`,
      '   ls -l',
      '     indented more',
      `   ${FENCE}`,
      '',
      '````md',
      `${FENCE}sh run`,
      'not a block',
      FENCE,
      '````',
      '~~~bash run',
      'echo tilde',
      '~~~',
    ].join('\n');
    expect(extractFences(mdx).map(({ lang, meta, code }) => ({ lang, meta, code }))).toEqual([
      { lang: 'sh', meta: 'run', code: 'ls -l\n  indented more' },
      { lang: 'md', meta: '', code: `${FENCE}sh run\nnot a block\n${FENCE}` },
      { lang: 'bash', meta: 'run', code: 'echo tilde' },
    ]);
  });

  it('keeps an unclosed fence to the end of the file', () => {
    expect(extractFences(`${FENCE}sh\nls\n`)).toEqual([
      { lang: 'sh', meta: '', code: 'ls\n', line: 1, endLine: 3 },
    ]);
  });
});

describe('extractRunnableBlocks', () => {
  it('pairs a block with the output fence right after it (blank lines allowed, prose not)', () => {
    const mdx = [
      `${FENCE}sh run`,
      'echo one',
      FENCE,
      '',
      `${FENCE}text output`,
      'one',
      FENCE,
      `${FENCE}sh run`,
      'echo two',
      FENCE,
      'Some prose.',
      `${FENCE}text output`,
      'two',
      FENCE,
      `${FENCE}sh`,
      'not runnable',
      FENCE,
      `${FENCE}yaml run`,
      'a: 1',
      FENCE,
    ].join('\n');
    const { blocks, invalid } = extractRunnableBlocks(mdx);
    expect(blocks.map((block) => [block.code, block.expectedOutput?.code])).toEqual([
      ['echo one', 'one'],
      ['echo two', undefined],
    ]);
    expect(invalid).toMatchObject([{ lang: 'yaml', line: 18, problem: expect.stringMatching(/cannot run/) }]);
  });
});
