/**
 * The browser's side of a terminal flood: Debian's Chromium (as the e2e tests drive it) opens a chapter
 * of the built site, opens the terminal panel, runs `yes` in it for a while and counts animation frames.
 * A panel that keeps up paints near the display rate; one drowning in output paints a few frames a
 * second (the tab freezes), which is what the terminal's flow control exists to prevent.
 */
import { chromium } from '@playwright/test';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PROMPT = /root@playground:~#/;
const SHELL_WITHIN_MS = 120_000;

export interface FrameRate {
  /** Frames painted per second while nothing is written to the terminal. */
  quietFps: number;
  /** Frames painted per second during the flood, and the longest gap between two frames. */
  floodFps: number;
  floodLongestFrameMs: number;
}

export async function measureFloodFrameRate(
  siteUrl: string,
  pagePath: string,
  openLabel: string,
  floodMs: number,
): Promise<FrameRate> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${siteUrl}${pagePath}`);
    await page.getByRole('button', { name: openLabel, exact: true }).click();
    const screen = page.locator('terminal-panel .xterm-rows');
    await screen.filter({ hasText: PROMPT }).waitFor({ timeout: SHELL_WITHIN_MS });
    const countFrames = (ms: number) =>
      page.evaluate(
        (duration) =>
          new Promise<{ frames: number; longestMs: number }>((resolve) => {
            const started = performance.now();
            let last = started;
            let frames = 0;
            let longestMs = 0;
            const tick = (now: number) => {
              frames++;
              longestMs = Math.max(longestMs, now - last);
              last = now;
              if (now - started < duration) requestAnimationFrame(tick);
              else resolve({ frames, longestMs });
            };
            requestAnimationFrame(tick);
          }),
        ms,
      );
    const quiet = await countFrames(2_000);
    await page.keyboard.type('yes');
    await page.keyboard.press('Enter');
    const flood = await countFrames(floodMs);
    await page.keyboard.press('Control+C');
    await page.goto('about:blank');
    return {
      quietFps: Number((quiet.frames / 2).toFixed(1)),
      floodFps: Number((flood.frames / (floodMs / 1000)).toFixed(1)),
      floodLongestFrameMs: Math.round(flood.longestMs),
    };
  } finally {
    await browser.close();
  }
}
