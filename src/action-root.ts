/**
 * Where the action's own files (action.yml, terraform/, helm/) are. The runner says so in
 * GITHUB_ACTION_PATH; elsewhere (tests, @github/local-action running the sources) the folder that
 * holds action.yml above this file is the root, whatever depth the code runs from.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function findActionRoot(
  env: Readonly<Record<string, string | undefined>>,
  from: string = path.dirname(fileURLToPath(import.meta.url))
): string {
  const given = env.GITHUB_ACTION_PATH?.trim();
  if (given && existsSync(path.join(given, 'action.yml'))) return path.resolve(given);
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'action.yml'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(
    `Cannot find the action's files: no action.yml in GITHUB_ACTION_PATH (${given ?? 'unset'}) or above ${from}.`
  );
}
