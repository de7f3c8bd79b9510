/**
 * Runs the runnable blocks of pages through the sandbox server: the blocks of one page in page
 * order (docker blocks in one playground session for the page, shell blocks one-shot), then the
 * page's exercises (run-exercises.ts), several pages at once.
 */
import type { InvalidBlock, RunnableBlock } from '../../../site/runnable-blocks.ts';
import { checkResult } from './check-result.ts';
import type { Page } from './pages.ts';
import { runExercises } from './run-exercises.ts';
import { type RunResult, SandboxApiError, type SandboxClient } from './sandbox-client.ts';

export interface BlockOutcome {
  readonly page: Page;
  readonly block: RunnableBlock | InvalidBlock;
  /** 1-based position among the page's runnable blocks. */
  readonly index: number;
  readonly passed: boolean;
  readonly problems: readonly string[];
  readonly diff?: string;
  readonly result?: RunResult;
  readonly recordedAt?: string;
}

export interface PageOutcome {
  readonly page: Page;
  readonly blocks: readonly BlockOutcome[];
  readonly durationMs: number;
}

function describeError(error: unknown): string {
  return error instanceof SandboxApiError || error instanceof Error ? error.message : String(error);
}

async function runPage(client: SandboxClient, page: Page): Promise<PageOutcome> {
  const started = Date.now();
  const outcomes: BlockOutcome[] = page.invalid.map((block: InvalidBlock) => ({
    page,
    block,
    index: 0,
    passed: false,
    problems: [`cannot run as written: ${block.problem}`],
  }));
  let session: string | undefined;
  let sessionError: string | undefined;
  try {
    for (const [position, block] of page.blocks.entries()) {
      const index = position + 1;
      if (block.spec.runner === 'docker' && session === undefined && sessionError === undefined) {
        try {
          session = await client.createSession();
        } catch (error) {
          sessionError = `no playground session: ${describeError(error)}`;
        }
      }
      if (block.spec.runner === 'docker' && sessionError !== undefined) {
        outcomes.push({ page, block, index, passed: false, problems: [sessionError] });
        continue;
      }
      try {
        const result = await client.run(
          block.spec.runner,
          block.spec.command,
          block.spec.runner === 'docker' ? session : undefined,
        );
        const recordedAt = new Date().toISOString();
        outcomes.push({ page, block, index, ...checkResult(block, result), result, recordedAt });
      } catch (error) {
        outcomes.push({ page, block, index, passed: false, problems: [describeError(error)] });
      }
    }
  } finally {
    if (session !== undefined) {
      await client.deleteSession(session).catch((error: unknown) => {
        console.warn(`warning: could not delete playground session of ${page.file}: ${describeError(error)}`);
      });
    }
  }
  outcomes.sort((a, b) => a.block.line - b.block.line);
  outcomes.push(...(await runExercises(client, page)));
  return { page, blocks: outcomes, durationMs: Date.now() - started };
}

/** Runs pages `concurrency` at a time; `onPage` sees each page as soon as it is done. */
export async function runPages(
  client: SandboxClient,
  pages: readonly Page[],
  concurrency: number,
  onPage: (outcome: PageOutcome) => void,
): Promise<PageOutcome[]> {
  // Longest pages first: with a few workers, the run ends soonest that way.
  const queue = pages
    .filter((page) => page.blocks.length + page.invalid.length + page.exercises.length > 0)
    .sort((a, b) => b.blocks.length - a.blocks.length);
  const outcomes: PageOutcome[] = [];
  const worker = async (): Promise<void> => {
    for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
      const outcome = await runPage(client, page);
      outcomes.push(outcome);
      onPage(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return pages.flatMap((page) => outcomes.filter((outcome) => outcome.page === page));
}
