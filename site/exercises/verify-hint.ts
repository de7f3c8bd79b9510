/**
 * The hint a failed check shows: the verify script's last non-empty stdout line (where the
 * chapters' scripts print it), else its last stderr line, else undefined. Shared by the page and
 * the doc-tests, and free of Node APIs because it ships to the browser.
 */
export function verifyHint(stdout: string, stderr: string): string | undefined {
  return lastLine(stdout) ?? lastLine(stderr);
}

function lastLine(text: string): string | undefined {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .at(-1);
}
