export const SCHEMA_FILE: string;
export function ensureProviderSchema(): string;
