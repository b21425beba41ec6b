/** Types of state-objects.mjs for the TypeScript harness. */
export interface StandinObject {
  generation: string;
  content: string;
  contentType?: string;
}
export function objectAt(world: object, url: string): StandinObject | undefined;
export function putObject(
  world: object,
  url: string,
  content: string,
  contentType?: string
): string;
export function removeObject(world: object, url: string): void;
