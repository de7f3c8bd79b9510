/**
 * The browser's copy of `dockerfileCommand` in site/runnable-blocks.ts (that
 * module uses node:crypto, so it cannot ship to the browser): builds an edited
 * Dockerfile block in the playground and runs the image once. A unit test
 * keeps the two identical; tag and context were validated at build time.
 */
const DEFAULT_IMAGE_TAG = 'dockyard-example';

export function dockerfileCommand(
  dockerfile: string,
  options: { tag?: string; context?: string } = {},
): string {
  const tag = options.tag ?? DEFAULT_IMAGE_TAG;
  const lines = dockerfile.split(/\r?\n/);
  let delimiter = 'DOCKYARD_DOCKERFILE';
  while (lines.includes(delimiter)) delimiter += '_';
  const context = options.context ?? '"$(mktemp -d)"';
  return [
    'set -e',
    ...(options.context === undefined ? [] : [`mkdir -p ${context}`]),
    `docker build -t ${tag} -f - ${context} <<'${delimiter}'`,
    dockerfile,
    delimiter,
    `docker run --rm ${tag}`,
  ].join('\n');
}
