/**
 * The post step: removes exactly the files the main step recorded (credentials, kubeconfig,
 * values holding secrets) and nothing else; then, on GitHub-hosted runners, saves to the Actions
 * cache what a successful main step downloaded (tools/cache/save.ts). It only ever warns.
 */
import * as core from '@actions/core';
import { rmSync } from 'node:fs';
import { CLEANUP_STATE } from './cleanup-state.js';
import { actionsCache } from './tools/cache/service.js';
import { saveHostedCaches } from './tools/cache/save.js';

export interface PostDeps {
  readonly getState: (name: string) => string;
  readonly remove: (file: string) => void;
  readonly info: (message: string) => void;
  readonly warning: (message: string) => void;
}

export function cleanupFiles(deps: PostDeps): void {
  let files: string[] = [];
  try {
    const saved = deps.getState(CLEANUP_STATE);
    files = saved ? (JSON.parse(saved) as string[]) : [];
  } catch {
    deps.warning('Could not read the list of files to remove; nothing was removed.');
    return;
  }
  for (const file of [...new Set(files)]) {
    try {
      deps.remove(file);
      deps.info(`Removed ${file}`);
    } catch (error) {
      deps.warning(
        `Could not remove ${file}: ${error instanceof Error ? error.message : String(error)}. Remove it by hand; it may hold credentials.`
      );
    }
  }
}

export async function runPost(): Promise<void> {
  try {
    cleanupFiles({
      getState: (name) => core.getState(name),
      remove: (file) => rmSync(file, { force: true, recursive: true }),
      info: (m) => core.info(m),
      warning: (m) => core.warning(m)
    });
  } catch (error) {
    core.warning(`Post step: ${error instanceof Error ? error.message : String(error)}`);
  }
  // After the removal, so no file that held a secret is still there while caches are packed.
  try {
    await saveHostedCaches({
      getState: (name) => core.getState(name),
      env: process.env,
      service: actionsCache(),
      info: (m) => core.info(m),
      warning: (m) => core.warning(m)
    });
  } catch (error) {
    core.warning(
      `Post step, Actions cache: ${error instanceof Error ? error.message : String(error)}`
    );
  }
}
