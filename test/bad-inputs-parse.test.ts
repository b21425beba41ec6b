/**
 * The bad-input corpus at the unit level: the input parser alone must refuse each case with an
 * InputError for that very input, saying what the case expects. test/bad-inputs.test.ts runs the
 * same cases through the bundled action (one error, no tool, no network call); this file is fast
 * enough for the mutation run (stryker.config.mjs), which cannot rebuild dist/.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../src/errors.js';
import { parseInputs } from '../src/inputs.js';
import { BAD_INPUTS, BASE as BAD_BASE } from './support/bad-inputs.js';
import { actionDefault } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

describe('the bad-input corpus', () => {
  // test/bad-inputs.test.ts runs each case through the bundled action; here, at the unit level,
  // the parser alone must refuse each one with an InputError for that very input.
  it('each case is refused by the input parser, naming its input', () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'bad-inputs-'));
    const outcomes = BAD_INPUTS.map((c) => {
      const values: Record<string, string> = { ...BAD_BASE, ...c.inputs };
      try {
        parseInputs((name) => values[name] ?? actionDefault(name), {
          actionRoot: PROJECT_ROOT,
          workspace
        });
        return `${c.name}: accepted`;
      } catch (error) {
        if (!(error instanceof InputError)) return `${c.name}: ${String(error)}`;
        if (error.input !== c.input) return `${c.name}: named ${error.input}, not ${c.input}`;
        return c.says.test(error.message) ? 'ok' : `${c.name}: said ${error.message}`;
      }
    });
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
    expect(outcomes.length).toBe(BAD_INPUTS.length);
  });
});
