import { ensureProviderSchema } from '../../scripts/provider-schema.mjs';
import { ensureHelm3, ensureRealTools } from '../../scripts/real-tools.mjs';

export default function globalSetup() {
  ensureRealTools();
  ensureHelm3();
  ensureProviderSchema();
}
