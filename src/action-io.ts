/**
 * The runner's side of the action: the files and commands @actions/core writes. Kept apart from
 * run.ts so the report modules that use it do not import the entry point that imports them.
 */
export interface ActionIO {
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  addPath(dir: string): void;
  saveState(name: string, value: string): void;
  appendSummary(markdown: string): Promise<void>;
  setFailed(message: string): void;
}
