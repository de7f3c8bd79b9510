/**
 * Runs the runnable blocks of pages through the sandbox server: the blocks of one page in page
 * order (docker blocks in one playground session for the page, shell blocks one-shot), then the
 * page's exercises (run-exercises.ts), several pages at once.
 */
import type { Fence, InvalidBlock, RunnableBlock } from '../../../site/runnable-blocks.ts';
import { checkResult } from './check-result.ts';
import type { Page } from './pages.ts';
import { runExercises } from './run-exercises.ts';
import { type RunResult, SandboxApiError, type SandboxClient } from './sandbox-client.ts';
import { runTerminalBlock } from './terminal-blocks.ts';

export interface BlockOutcome {
  readonly page: Page;
  /** A plain Fence is a block marked `terminal`. */
  readonly block: RunnableBlock | InvalidBlock | Fence;
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
  // Terminal blocks run where they stand in the page, in the page's playground, like docker blocks.
  const pendingTerminalBlocks = [...page.terminalBlocks];
  const runTerminalBlocksBefore = async (line: number) => {
    while (pendingTerminalBlocks.length > 0 && (pendingTerminalBlocks[0]?.line ?? 0) < line) {
      const block = pendingTerminalBlocks.shift() as Fence;
      if (session === undefined && sessionError === undefined) {
        try {
          session = await client.createSession();
        } catch (error) {
          sessionError = `no playground session: ${describeError(error)}`;
        }
      }
      const problems =
        session === undefined
          ? [sessionError ?? 'no session']
          : await runTerminalBlock(client.baseUrl, session, block).catch((error: unknown) => [
              describeError(error),
            ]);
      outcomes.push({ page, block, index: 0, passed: problems.length === 0, problems });
    }
  };
  try {
    for (const [position, block] of page.blocks.entries()) {
      const index = position + 1;
      await runTerminalBlocksBefore(block.line);
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
    await runTerminalBlocksBefore(Number.POSITIVE_INFINITY);
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
    .filter(
      (page) =>
        page.blocks.length + page.invalid.length + page.exercises.length + page.terminalBlocks.length > 0,
    )
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
