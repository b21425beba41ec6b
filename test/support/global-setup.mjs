import { ensureProviderSchema } from '../../scripts/provider-schema.mjs';
import { ensureRealTools } from '../../scripts/real-tools.mjs';

export default function globalSetup() {
  ensureRealTools();
  ensureProviderSchema();
}
