import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, which is also the action's root (terraform/, helm/, dist/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
