interface ImportMetaEnv {
  /** Origin of the sandbox API when it is not the site's own (e.g. https://sandbox.example.org). */
  readonly PUBLIC_SANDBOX_URL?: string;
  /**
   * The repository root, set by astro.config.mjs: bundled build code cannot find it from
   * its own location (site/content/site-pages.ts).
   */
  readonly DOCKYARD_ROOT?: string;
}
