/** Errors that reach the user. Each carries a message they can act on. */

/** A bad input: names the input, shows the value (never a secret's) and what is allowed. */
export class InputError extends Error {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`Input '${input}': ${message}`);
    this.name = 'InputError';
    this.input = input;
  }
}

/** A step that failed; the message already holds the tool's own explanation. */
export class StepError extends Error {
  readonly stepId: string;
  readonly exitCode: number | undefined;
  constructor(stepId: string, message: string, exitCode?: number) {
    super(message);
    this.name = 'StepError';
    this.stepId = stepId;
    this.exitCode = exitCode;
  }
}
