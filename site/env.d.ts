interface ImportMetaEnv {
  /** Origin of the sandbox API when it is not the site's own (e.g. https://sandbox.example.org). */
  readonly PUBLIC_SANDBOX_URL?: string;
}
