import { ensureRealTools } from '../../scripts/real-tools.mjs';

export default function globalSetup() {
  ensureRealTools();
}
