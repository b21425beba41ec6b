/** The action's logic, exported so @github/local-action and tests can call it; src/index.ts runs it. */
export { run } from './run.js';
