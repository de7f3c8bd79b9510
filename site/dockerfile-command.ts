/**
 * How a `dockerfile run` block runs: a shell script for the page's playground. No Node built-ins
 * here, so the browser (an edited Dockerfile) and the build and doc-tests (site/runnable-blocks.ts)
 * share the very same function.
 */

export const DEFAULT_IMAGE_TAG = 'dockyard-example';

const IMAGE_TAG = /^[a-z0-9][a-z0-9._/-]*(?::\w[\w.-]{0,127})?$/;
const CONTEXT_DIR = /^\/[\w./-]*$/;

export class DockerfileOptionError extends Error {
  override name = 'DockerfileOptionError';
}

/**
 * The shell script that builds a Dockerfile in the playground and runs the image once:
 * `docker build -t TAG -f - CONTEXT` with the Dockerfile on stdin, then `docker run --rm TAG`.
 * The build context is `context` (a directory earlier blocks of the page prepared) or an empty
 * temporary directory. Throws DockerfileOptionError for a tag or context that is not safe to
 * put in a shell command.
 */
export function dockerfileCommand(
  dockerfile: string,
  options: { tag?: string; context?: string } = {},
): string {
  const tag = options.tag ?? DEFAULT_IMAGE_TAG;
  if (!IMAGE_TAG.test(tag)) throw new DockerfileOptionError(`tag=${tag} is not a valid image name`);
  if (options.context !== undefined && !CONTEXT_DIR.test(options.context)) {
    throw new DockerfileOptionError(`context=${options.context} must be an absolute path of [A-Za-z0-9_./-]`);
  }
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
