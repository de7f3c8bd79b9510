/**
 * What makes a code block runnable, in one place: the doc-tests (scripts/doctest.ts) and the
 * Run buttons (the Expressive Code plugin) both use this module, so a block runs the same way
 * in CI and in the reader's browser. The conventions are documented in content/README.md.
 *
 * - A fence is runnable when its meta has the bare word `run`.
 * - Runner: meta `runner=docker|shell`, otherwise `docker` when the code calls the docker CLI.
 * - `expect-error`: the block is meant to exit non-zero.
 * - A `dockerfile run` block is built in the page's playground and the image is run once.
 * - A fence with meta `output` directly after a runnable block states its expected output.
 * - Recorded outputs are keyed by `codeHash(code)`, the code exactly as between the fence lines.
 */
import { createHash } from 'node:crypto';
import { DockerfileOptionError, dockerfileCommand } from './dockerfile-command.ts';

export { DEFAULT_IMAGE_TAG, dockerfileCommand } from './dockerfile-command.ts';

export type Runner = 'shell' | 'docker';

/** What a Markdown fence carries: `lang` is the first word of the info string, `meta` the rest. */
export interface FenceInfo {
  readonly lang: string;
  readonly meta: string;
  readonly code: string;
}

/** A fence found in an MDX file; `line` is the 1-based line of its opening fence. */
export interface Fence extends FenceInfo {
  readonly line: number;
  /** 1-based line of the closing fence (or of the last line when the fence is never closed). */
  readonly endLine: number;
}

/** How to run a block marked `run`: what to send to POST /api/run, and what counts as success. */
export interface RunSpec {
  readonly runner: Runner;
  /** The `code` field of the request (a Dockerfile block becomes a build-and-run script). */
  readonly command: string;
  readonly expectError: boolean;
  /** Key of the block in content/recorded-outputs.json. */
  readonly hash: string;
}

export interface RunnableBlock extends Fence {
  readonly spec: RunSpec;
  /** The `output` fence right after the block, if any. */
  readonly expectedOutput?: Fence;
}

/** A `run` block that cannot be run as written (unknown language, bad meta). */
export interface InvalidBlock extends Fence {
  readonly problem: string;
}

export class RunnableBlockError extends Error {
  override name = 'RunnableBlockError';
}

/** Languages whose code is a shell script. */
const SHELL_LANGS = new Set(['sh', 'bash', 'shell']);
const DOCKERFILE_LANGS = new Set(['dockerfile', 'Dockerfile', 'docker']);

// key=value, key="value", key='value', or a bare token ("run", "{1,3}", "/re/", "title").
const META_TOKEN =
  /([A-Za-z][\w-]*)=(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|(\S+))|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|\S+)/g;

/** Parses a fence's meta string the way Expressive Code's `metaOptions` reads it. */
export function parseMeta(meta: string): Map<string, string | true> {
  const options = new Map<string, string | true>();
  for (const match of meta.matchAll(META_TOKEN)) {
    const [, key, doubleQuoted, singleQuoted, plain, bare] = match;
    if (key !== undefined) options.set(key, doubleQuoted ?? singleQuoted ?? plain ?? '');
    else if (bare !== undefined && /^[A-Za-z][\w-]*$/.test(bare)) options.set(bare, true);
  }
  return options;
}

function flag(options: Map<string, string | true>, name: string): boolean {
  const value = options.get(name);
  return value === true || value === 'true';
}

/** True when the meta marks the block runnable (the bare word `run`). */
export function isMarkedRun(meta: string): boolean {
  return flag(parseMeta(meta), 'run');
}

/** True when the meta marks a block to be typed into the terminal panel (an interactive command). */
export function isMarkedTerminal(meta: string): boolean {
  return flag(parseMeta(meta), 'terminal');
}

/** True when the meta marks a fence as the expected output of the block before it. */
export function isOutputFence(meta: string): boolean {
  return flag(parseMeta(meta), 'output');
}

/** The sha256 (hex) of a block's code, the key of its recorded output. */
export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

// A command word `docker` (or `docker-compose`) at the start of a simple command: at the start of a
// line or after ; & | ( ` $( {, optionally after if/then/do/…, `sudo [-opts]` and VAR=value prefixes.
const DOCKER_COMMAND =
  /(?:^|[;&|(`{]|\$\()\s*(?:(?:if|then|do|else|elif|while|until|time|exec|!)\s+)*(?:sudo\s+(?:-\S+\s+)*)?(?:[A-Za-z_]\w*=\S*\s+)*docker(?:-compose)?(?=$|[\s;&|)`])/m;

/** The lines of a shell script that are commands: heredoc bodies and comments removed. */
function commandLines(code: string): string[] {
  const lines: string[] = [];
  let heredocEnd: { word: string; tabs: boolean } | undefined;
  for (const raw of code.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    if (heredocEnd) {
      const candidate = heredocEnd.tabs ? raw.replace(/^\t+/, '') : raw;
      if (candidate === heredocEnd.word) heredocEnd = undefined;
      continue;
    }
    const line = raw.replace(/(^|\s)#.*$/, '$1');
    const heredoc = /<<(-?)\s*(['"]?)([A-Za-z_][\w-]*)\2/.exec(line);
    if (heredoc?.[3] !== undefined) heredocEnd = { word: heredoc[3], tabs: heredoc[1] === '-' };
    lines.push(line);
  }
  return lines;
}

/** `docker` when the script calls the docker CLI anywhere, otherwise `shell`. */
export function detectRunner(code: string): Runner {
  return commandLines(code).some((line) => DOCKER_COMMAND.test(line)) ? 'docker' : 'shell';
}

/**
 * How to run a fence, or undefined when it is not marked `run`.
 * Throws RunnableBlockError when it is marked `run` but cannot run as written.
 */
export function runSpec(fence: FenceInfo): RunSpec | undefined {
  const options = parseMeta(fence.meta);
  if (!flag(options, 'run')) return undefined;
  const requested = options.get('runner');
  if (requested !== undefined && requested !== 'docker' && requested !== 'shell') {
    throw new RunnableBlockError(`runner=${String(requested)}: the runner is "docker" or "shell"`);
  }
  const expectError = flag(options, 'expect-error');
  const hash = codeHash(fence.code);
  if (DOCKERFILE_LANGS.has(fence.lang)) {
    if (requested === 'shell')
      throw new RunnableBlockError('a Dockerfile runs in the docker playground, not runner=shell');
    const tag = options.get('tag');
    const context = options.get('context');
    try {
      const command = dockerfileCommand(fence.code, {
        ...(typeof tag === 'string' ? { tag } : {}),
        ...(typeof context === 'string' ? { context } : {}),
      });
      return { runner: 'docker', command, expectError, hash };
    } catch (error) {
      if (error instanceof DockerfileOptionError) throw new RunnableBlockError(error.message);
      throw error;
    }
  }
  if (!SHELL_LANGS.has(fence.lang)) {
    throw new RunnableBlockError(
      `a \`${fence.lang || '(no language)'}\` block cannot run: runnable blocks are sh/bash or dockerfile`,
    );
  }
  if (fence.code.trim() === '') throw new RunnableBlockError('the block is empty');
  const runner = requested ?? detectRunner(fence.code);
  return { runner, command: fence.code, expectError, hash };
}

const FENCE_OPEN = /^( *)(`{3,}|~{3,})(.*)$/;

/**
 * Every fenced code block of an MDX/Markdown file, in order, with `code` as the Markdown parser
 * sees it (the fence's indentation removed from each line, no trailing newline). Fences nested in
 * a longer fence (a ````md example) are code, not fences.
 */
export function extractFences(source: string): Fence[] {
  const lines = source.split(/\r?\n/);
  const fences: Fence[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE_OPEN.exec(lines[index] ?? '');
    if (!open) continue;
    const [, indent = '', marker = '', info = ''] = open;
    if (marker.startsWith('`') && info.includes('`')) continue;
    const closing = new RegExp(`^ *${marker[0] === '`' ? '`' : '~'}{${marker.length},} *$`);
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !closing.test(lines[end] ?? '')) {
      body.push(stripIndent(lines[end] ?? '', indent.length));
      end++;
    }
    const trimmedInfo = info.trim();
    const space = trimmedInfo.search(/\s/);
    fences.push({
      lang: space === -1 ? trimmedInfo : trimmedInfo.slice(0, space),
      meta: space === -1 ? '' : trimmedInfo.slice(space + 1).trim(),
      code: body.join('\n'),
      line: index + 1,
      endLine: Math.min(end, lines.length - 1) + 1,
    });
    index = end;
  }
  return fences;
}

function stripIndent(line: string, width: number): string {
  let strip = 0;
  while (strip < width && line[strip] === ' ') strip++;
  return line.slice(strip);
}

/** Blocks marked `run` in an MDX file, in page order, each with its expected output if stated. */
export function extractRunnableBlocks(source: string): { blocks: RunnableBlock[]; invalid: InvalidBlock[] } {
  const lines = source.split(/\r?\n/);
  const fences = extractFences(source);
  const blocks: RunnableBlock[] = [];
  const invalid: InvalidBlock[] = [];
  fences.forEach((fence, index) => {
    let spec: RunSpec | undefined;
    try {
      spec = runSpec(fence);
    } catch (error) {
      if (!(error instanceof RunnableBlockError)) throw error;
      invalid.push({ ...fence, problem: error.message });
      return;
    }
    if (!spec) return;
    const next = fences[index + 1];
    const onlyBlankBetween =
      next !== undefined && lines.slice(fence.endLine, next.line - 1).every((line) => line.trim() === '');
    const expectedOutput = next && onlyBlankBetween && isOutputFence(next.meta) ? next : undefined;
    blocks.push({ ...fence, spec, ...(expectedOutput ? { expectedOutput } : {}) });
  });
  return { blocks, invalid };
}
