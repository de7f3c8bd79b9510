/**
 * Runs a block marked `terminal` as a reader would: opens a terminal in the page's playground session
 * over the real WebSocket, types the steps of its script (terminal-scripts.ts) and checks that what each
 * step must show appears on the screen.
 */
import type { Fence } from '../../../site/runnable-blocks.ts';
import { TerminalClient } from '../terminal-client.ts';
import { PLAYGROUND_PROMPT, TERMINAL_SCRIPTS } from './terminal-scripts.ts';

/** Generous: the machine may be busy, and `docker run` of a large image takes a while there. */
const STEP_TIMEOUT_MS = 60_000;

/** The problems found; empty when every step showed what it must. */
export async function runTerminalBlock(baseUrl: string, session: string, block: Fence): Promise<string[]> {
  const steps = TERMINAL_SCRIPTS.get(block.code.trimEnd());
  if (steps === undefined)
    return ['no script for this terminal block in scripts/lib/doctest/terminal-scripts.ts'];
  const terminal = await TerminalClient.connect(baseUrl, session, { origin: baseUrl });
  try {
    if (terminal.closeInfo)
      return [`the terminal closed at once: ${terminal.closeInfo.code} ${terminal.closeInfo.reason}`];
    await terminal.waitForText(PLAYGROUND_PROMPT, STEP_TIMEOUT_MS);
    for (const [index, step] of steps.entries()) {
      const from = terminal.text.length;
      terminal.type(step.keys.replace('$BLOCK', block.code.trimEnd()));
      try {
        await terminal.waitForText(step.expect, STEP_TIMEOUT_MS, from);
      } catch {
        return [
          `step ${index + 1} (${JSON.stringify(step.keys)}) did not show ${String(step.expect)}; the screen showed:\n` +
            terminal.text.slice(from).slice(-1500),
        ];
      }
    }
    return [];
  } finally {
    terminal.close();
  }
}
