/** Types of world-store.mjs for the TypeScript harness. */
export function worldFileIn(dir: string): string;
export function readWorld<T = Record<string, unknown>>(dir: string): T;
export function updateWorld<W extends object, R>(dir: string, change: (world: W) => R): R;
export function commitWorld(dir: string, base: object, next: object): void;
export function applyChanges<T extends object>(target: T, base: object, next: object): T;
export function readJsonFile<T = Record<string, unknown>>(file: string): T;
export function updateJsonFile<V extends object, R>(file: string, change: (value: V) => R): R;
export function writeJsonFile(file: string, value: unknown): void;
