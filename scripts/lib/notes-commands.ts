/**
 * Extracts the command lines of the source notes, so a test can prove that
 * every one of them made it into a chapter.
 *
 * The notes mix prose and commands freely. A command is:
 * - a line that starts with `docker `, `sudo ` or `nvidia-docker` (continuation
 *   lines ending in `\` are joined; a trailing `#comment` and a trailing
 *   full stop `。` are dropped, they are annotations, not part of the command);
 * - a `docker …` command embedded in a prose line after a colon, e.g.
 *   `运行hello world：docker run hello-world:latest。`;
 * - a Dockerfile instruction the notes list (`FROM ，scratch…`), reported as
 *   its keyword.
 */

export type NotesCommand =
  | { kind: 'command'; text: string; line: number }
  | { kind: 'instruction'; keyword: string; line: number };

const DOCKERFILE_KEYWORDS = [
  'FROM',
  'MAINTAINER',
  'RUN',
  'EXPOSE',
  'WORKDIR',
  'ENV',
  'ADD',
  'COPY',
  'VOLUME',
  'CMD',
  'ENTRYPOINT',
  'ONBUILD',
] as const;

const COMMAND_START = /^(?:docker|sudo|nvidia-docker) /;
/** A command that starts a sentence of its own: `运行hello world：docker run hello-world:latest。` */
const SENTENCE_COMMAND = /[：。](docker [^。]+)/;
/** An ASCII command inside a sentence: `…用命令docker run --gpus all启动docker。` */
const INLINE_COMMAND = /docker (?:run|build|pull|push|login|tag|exec)\b[\x20-\x7e]*/g;
const INSTRUCTION_LINE = new RegExp(`^(${DOCKERFILE_KEYWORDS.join('|')})\\s*[：:，,]`);

/** Collapses whitespace and shell line continuations so layout differences do not matter. */
export function normalizeCommandText(text: string): string {
  return text
    .replace(/\\\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function stripAnnotations(command: string): string {
  return command
    .replace(/(?:\s|。)#.*$/, '')
    .replace(/。.*$/, '')
    .trim();
}

export function extractNotesCommands(notes: string): NotesCommand[] {
  const lines = notes.split(/\r?\n/);
  const commands: NotesCommand[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const lineNumber = index + 1;
    let line = (lines[index] ?? '').trim();

    const instruction = INSTRUCTION_LINE.exec(line);
    if (instruction?.[1]) {
      commands.push({ kind: 'instruction', keyword: instruction[1], line: lineNumber });
      continue;
    }

    if (COMMAND_START.test(line)) {
      while (line.endsWith('\\') && index + 1 < lines.length) {
        index += 1;
        line = `${line.slice(0, -1).trim()} ${(lines[index] ?? '').trim()}`;
      }
      commands.push({
        kind: 'command',
        text: normalizeCommandText(stripAnnotations(line)),
        line: lineNumber,
      });
      continue;
    }

    const sentence = SENTENCE_COMMAND.exec(line);
    const embedded = sentence?.[1] ? [sentence[1]] : (line.match(INLINE_COMMAND) ?? []);
    for (const text of embedded) {
      commands.push({
        kind: 'command',
        text: normalizeCommandText(stripAnnotations(text)),
        line: lineNumber,
      });
    }
  }
  return commands;
}

/** True when the command text contains CJK characters (an untranslatable placeholder such as 镜像名). */
export function hasCjk(text: string): boolean {
  return /[\u3000-\u9fff\uff00-\uffef]/.test(text);
}
