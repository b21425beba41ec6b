/**
 * Questions about the engine's event record (src/engine/events.ts): what came before what, by the
 * engine's own sequence numbers, so an order assertion holds on a machine of any speed.
 */
import type { RecordedEvent } from '../../src/engine/events.js';

export type EventOf<K extends RecordedEvent['kind']> = Extract<RecordedEvent, { kind: K }>;

export function eventsOf<K extends RecordedEvent['kind']>(
  events: readonly RecordedEvent[],
  kind: K
): EventOf<K>[] {
  return events.filter((e): e is EventOf<K> => e.kind === kind);
}

/** The sequence number of the only event of `kind` matching `fields`; throws when not exactly one. */
export function seqOf<K extends RecordedEvent['kind']>(
  events: readonly RecordedEvent[],
  kind: K,
  fields: Partial<EventOf<K>>
): number {
  const found = eventsOf(events, kind).filter((e) =>
    Object.entries(fields).every(([k, v]) => (e as Record<string, unknown>)[k] === v)
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} ${JSON.stringify(fields)}, found ${found.length}`);
  }
  return found[0]!.seq;
}
