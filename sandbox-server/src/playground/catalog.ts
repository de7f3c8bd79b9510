/**
 * The playground's offline image catalog, the one list every part reads: `npm run images` builds one
 * image per entry (sandbox-server/images/playground/catalog/<dir>) and stores it in the catalog volume
 * under each of its tags; the pool probes for the first tag; the offline pull hint names them; tests
 * check a playground lists them. Everything is built locally from Debian packages or our own code, with
 * each image's layers and history as built.
 */
export interface CatalogImage {
  /** Build context under sandbox-server/images/playground/catalog/. */
  readonly dir: string;
  /** The names it has inside a playground: what readers type from the official docs. */
  readonly tags: readonly string[];
  /** Build arguments: values the Dockerfile checks against what it installed (a tag must not lie). */
  readonly args?: Readonly<Record<string, string>>;
}

/** Debian 12's python3 is 3.11: the build fails if the package says otherwise. */
const PYTHON_MINOR = '3.11';

export const PLAYGROUND_CATALOG: readonly CatalogImage[] = [
  { dir: 'hello-world', tags: ['hello-world:latest'] },
  { dir: 'busybox', tags: ['busybox:latest'] },
  { dir: 'debian', tags: ['debian:bookworm'] },
  { dir: 'debian-slim', tags: ['debian:bookworm-slim'] },
  { dir: 'nginx', tags: ['nginx:latest'] },
  { dir: 'redis', tags: ['redis:latest'] },
  { dir: 'mariadb', tags: ['mariadb:latest'] },
  { dir: 'tomcat', tags: ['tomcat:latest'] },
  // Debian's docker-registry is the Distribution registry 2.8, what `registry:2` is.
  { dir: 'registry', tags: ['registry:2'] },
  {
    dir: 'python-slim',
    tags: [`python:${PYTHON_MINOR}-slim`, 'python:3-slim'],
    args: { PYTHON_MINOR },
  },
];

/** Every tag of the catalog, in catalog order. */
export const CATALOG_TAGS: readonly string[] = PLAYGROUND_CATALOG.flatMap((image) => image.tags);

/** An image every catalog has: its presence in a playground shows the store is mounted and linked. */
export const CATALOG_PROBE_IMAGE = CATALOG_TAGS[0] ?? 'hello-world:latest';

/** How readers type them: `nginx`, not `nginx:latest`. */
export function catalogNames(): string {
  return CATALOG_TAGS.map((tag) => tag.replace(/:latest$/, '')).join(', ');
}
