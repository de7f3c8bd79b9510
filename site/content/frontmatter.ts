/**
 * A page's YAML frontmatter with the line of each field, so a problem can be reported as
 * `file:line: field: message` before Astro's own, less precise, schema errors.
 */
import { isMap, LineCounter, parseDocument } from 'yaml';

export interface Frontmatter {
  readonly data: Record<string, unknown>;
  /** 1-based line in the file of a field (dotted path: `sidebar.order`), or of the opening `---`. */
  lineOf(field: string): number;
  /** Line of the first line after the frontmatter. */
  readonly endLine: number;
}

export class FrontmatterError extends Error {
  override name = 'FrontmatterError';
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

const OPENING = /^---\r?\n/;

export function parseFrontmatter(source: string): Frontmatter {
  if (!OPENING.test(source))
    throw new FrontmatterError(1, 'the file must start with a `---` frontmatter block');
  const afterOpening = source.replace(OPENING, '');
  const closing = /^---\s*$/m.exec(afterOpening);
  if (!closing) throw new FrontmatterError(1, 'the frontmatter block is never closed with `---`');
  const yamlText = afterOpening.slice(0, closing.index);
  const yamlLines = yamlText.split('\n').length - 1;
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const [error] = document.errors;
  if (error) {
    const line = error.linePos?.[0].line ?? 1;
    throw new FrontmatterError(line + 1, `invalid YAML: ${error.message.split('\n')[0]}`);
  }
  const data = document.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new FrontmatterError(2, 'frontmatter must be a mapping');
  return {
    data: data as Record<string, unknown>,
    endLine: yamlLines + 3,
    lineOf(field) {
      let node: unknown = document.contents;
      let line = 1;
      for (const key of field.split('.')) {
        if (!isMap(node)) break;
        const pair = node.items.find((item) => String((item.key as { value?: unknown })?.value) === key);
        if (!pair) break;
        const keyNode = pair.key as { range?: [number, number, number] };
        if (keyNode.range) line = lineCounter.linePos(keyNode.range[0]).line + 1;
        node = pair.value;
      }
      return line;
    },
  };
}
