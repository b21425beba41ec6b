// `npm run build`: the bundles into dist/ (scripts/bundles.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundles } from './bundles.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
try {
  await buildBundles(path.join(root, 'dist'));
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
