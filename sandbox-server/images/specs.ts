/**
 * Every image the sandboxes use, in build order, as data: `npm run images`
 * (scripts/images.ts) builds each one whose inputs changed. No registry is
 * reachable, so everything starts from a Debian root file system made here
 * with debootstrap. Add an image by adding an entry.
 */
import { PLAYGROUND_CATALOG } from '../src/playground/catalog.ts';

export interface DebootstrapBuild {
  kind: 'debootstrap';
  suite: string;
  variant: 'minbase';
}

export interface DockerfileBuild {
  kind: 'dockerfile';
  /** Build context, relative to the repository root; its Dockerfile is at the top. */
  context: string;
  /** Build arguments (part of the inputs: changing one rebuilds the image). */
  args?: Readonly<Record<string, string>>;
  /** Pass the machine's Debian mirror as the build argument DEBIAN_MIRROR (not an input). */
  needsDebianMirror?: boolean;
}

/**
 * Not an image: the shared, read-only store of the playground's offline catalog, a Docker volume
 * holding a docker data root with every catalog image, its layers and history as built, under its
 * public names (images/playground/build-catalog-store.sh). Playgrounds mount it and use the layers
 * in place.
 */
export interface CatalogStoreBuild {
  kind: 'catalog-store';
  /** The playground image whose daemon fills the store (same user-namespace mapping as at run time). */
  playgroundImage: string;
  /** The script that fills it, relative to the repository root (hashed with the other inputs). */
  script: string;
  /** Locally built image → the name it has inside every playground. */
  images: ReadonlyArray<{ source: string; name: string }>;
}

export interface ImageSpec {
  /** name:tag */
  name: string;
  purpose: string;
  /** An earlier entry this image is built FROM: rebuilding it rebuilds this one. */
  from?: string;
  /** The store depends on every catalog image, not just one `from`. */
  after?: readonly string[];
  build: DebootstrapBuild | DockerfileBuild | CatalogStoreBuild;
}

/** The Debian suite of every image's base (and of the host's own engine). */
export const BASE_SUITE = 'bookworm';
export const BASE_IMAGE = 'dockyard/debian:bookworm';
/**
 * Where the playground's Docker comes from: Debian testing, for a current Engine with the Compose and
 * buildx plugins (Debian stable's docker.io is 20.10). The build fails if the suite no longer ships
 * this major version; the exact versions the image got are written to
 * site/generated/playground-engine.json (scripts/lib/playground-engine.ts).
 */
export const PLAYGROUND_ENGINE = { suite: 'forky', engineMajor: '28' } as const;
export const SHELL_IMAGE = 'dockyard/shell:latest';
/** What the catalog store's format depends on (Docker's version, the user-namespace mapping). */
export const PLAYGROUND_BASE_IMAGE = 'dockyard/playground-base:latest';
export const PLAYGROUND_IMAGE = 'dockyard/playground:latest';
/** Test fixture: a registry standing in for a team's mirror (tests/integration/playground/registry-pull). */
export const TEST_REGISTRY_IMAGE = 'dockyard/test-registry:latest';
/** The catalog store is a volume of this name (see CatalogStoreBuild). */
export const CATALOG_STORE_VOLUME = 'dockyard-catalog';

const catalogSource = (dir: string) => `dockyard/catalog-${dir}:latest`;

export const IMAGE_SPECS: readonly ImageSpec[] = [
  {
    name: BASE_IMAGE,
    purpose: 'Debian bookworm base of every sandbox image',
    build: { kind: 'debootstrap', suite: BASE_SUITE, variant: 'minbase' },
  },
  {
    name: SHELL_IMAGE,
    purpose: 'the shell runner: a non-root user and the tools the chapters use',
    from: BASE_IMAGE,
    build: { kind: 'dockerfile', context: 'sandbox-server/images/shell' },
  },
  {
    name: PLAYGROUND_BASE_IMAGE,
    purpose: 'the playground’s packages (Docker Engine, CLI, Compose, buildx) and user-namespace mapping',
    from: BASE_IMAGE,
    build: {
      kind: 'dockerfile',
      context: 'sandbox-server/images/playground/base',
      args: { ENGINE_SUITE: PLAYGROUND_ENGINE.suite, ENGINE_MAJOR: PLAYGROUND_ENGINE.engineMajor },
      needsDebianMirror: true,
    },
  },
  {
    name: PLAYGROUND_IMAGE,
    purpose: 'the docker runner: a throw-away Docker host per reader (Docker-in-Docker in a user namespace)',
    from: PLAYGROUND_BASE_IMAGE,
    build: { kind: 'dockerfile', context: 'sandbox-server/images/playground/image' },
  },
  {
    name: TEST_REGISTRY_IMAGE,
    purpose: 'test fixture: a registry standing in for a team’s mirror (Debian’s docker-registry)',
    from: BASE_IMAGE,
    build: { kind: 'dockerfile', context: 'sandbox-server/images/test-registry' },
  },
  ...PLAYGROUND_CATALOG.map(
    ({ dir, tags, args }): ImageSpec => ({
      name: catalogSource(dir),
      purpose: `offline catalog: ${tags.join(', ')} inside playgrounds, built from Debian packages or our own code`,
      from: BASE_IMAGE,
      build: {
        kind: 'dockerfile',
        context: `sandbox-server/images/playground/catalog/${dir}`,
        ...(args ? { args } : {}),
      },
    }),
  ),
  {
    name: CATALOG_STORE_VOLUME,
    purpose: 'the catalog, unpacked once, shared read-only by every playground',
    // Not the playground image: changing its scripts must not rebuild (and so replace) the shared store.
    from: PLAYGROUND_BASE_IMAGE,
    after: PLAYGROUND_CATALOG.map(({ dir }) => catalogSource(dir)),
    build: {
      kind: 'catalog-store',
      playgroundImage: PLAYGROUND_IMAGE,
      script: 'sandbox-server/images/playground/build-catalog-store.sh',
      images: PLAYGROUND_CATALOG.flatMap(({ dir, tags }) =>
        tags.map((name) => ({ source: catalogSource(dir), name })),
      ),
    },
  },
];
