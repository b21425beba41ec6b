/** Paths of the real helm and kubectl that jest's global setup unpacked (scripts/real-tools.mjs). */
import path from 'node:path';
import { PROJECT_ROOT } from './project.js';

export const REAL_TOOLS_DIR = path.join(
  PROJECT_ROOT,
  'node_modules',
  '.cache',
  'flyte-gke-test',
  'bin'
);

export function realToolPath(tool: 'helm' | 'kubectl'): string {
  return path.join(REAL_TOOLS_DIR, tool);
}
