/** Types of providers.mjs for the TypeScript tests. */
export function installProviders(
  moduleDir: string,
  env: NodeJS.ProcessEnv
): Promise<{ lines: string[]; error?: undefined } | { error: string; lines?: undefined }>;
