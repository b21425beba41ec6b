/** What the job's environment protects, as the engine's context carries it (a leaf: no imports). */
export type EnvironmentProtection =
  | { readonly readable: true; readonly rules: readonly string[]; readonly anyBranch: boolean }
  | { readonly readable: false; readonly why: string };
