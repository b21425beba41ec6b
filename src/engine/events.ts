/**
 * The engine's own record of what happened in which order: each phase and step starting and
 * ending, each command a step ran, and for reads made ahead which step issued a read, when its
 * answer came and which later step it served. Order is a sequence number, never a clock, so a
 * test (or someone reading a debug log) can tell what came before what on a machine of any speed.
 */
/** Where an event happened: the phase and, inside it, the step. */
export interface EventPlace {
  readonly phase: string;
  readonly step: string;
}

export type EngineEvent =
  | { readonly kind: 'phase-start'; readonly phase: string }
  | { readonly kind: 'phase-end'; readonly phase: string }
  | (EventPlace & { readonly kind: 'step-start'; readonly mutates: boolean })
  | (EventPlace & { readonly kind: 'step-end'; readonly status: 'ran' | 'failed' })
  /** Its condition said no: the step never started. */
  | (EventPlace & { readonly kind: 'step-skipped' })
  /** A command the step ran itself (not one answered from a read made ahead). */
  | (EventPlace & { readonly kind: 'exec-start'; readonly call: string })
  | (EventPlace & { readonly kind: 'exec-end'; readonly call: string })
  /** A read started ahead of the step that needs it; its answer is kept for that step. */
  | (EventPlace & { readonly kind: 'read-issued'; readonly call: string })
  | {
      readonly kind: 'read-answered';
      readonly call: string;
      /** Absent when the read could not run at all. */
      readonly exitCode?: number;
    }
  /** The step ran this command and got the answer read ahead instead of running it again. */
  | (EventPlace & { readonly kind: 'read-served'; readonly call: string })
  /** A changing step ran: every answer read before it was dropped. */
  | (EventPlace & { readonly kind: 'reads-dropped' })
  /** Work no phase waits for (background.ts) started, and ended. */
  | { readonly kind: 'background-start'; readonly name: string }
  | { readonly kind: 'background-end'; readonly name: string; readonly ok: boolean }
  /** A step ran a command of a tool still installing in the background, so it waited. */
  | (EventPlace & { readonly kind: 'background-wait'; readonly name: string });

export type RecordedEvent = EngineEvent & { readonly seq: number };

/** Receives each event as it happens, numbered in the order the engine saw them. */
export type EventSink = (event: RecordedEvent) => void;

/** A command as events name it: the tool and its arguments, as one line. */
export const callName = (tool: string, args: readonly string[]): string =>
  [tool, ...args].join(' ');

/** Numbers events and hands them to the sink (or drops them when nobody listens). */
export function eventRecorder(sink: EventSink | undefined): (event: EngineEvent) => void {
  let seq = 0;
  return (event) => {
    seq += 1;
    sink?.({ ...event, seq });
  };
}

/** The debug line prefix the action writes each event under (see run.ts). */
export const EVENT_LOG_PREFIX = 'engine event: ';
