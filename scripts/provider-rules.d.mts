import type { Module } from '../test/support/provider-rules/index.mjs';
export const RULES_FILE: string;
export function usedBlocks(module: Module): Record<string, Set<string>>;
