/**
 * allow-unpinned-tools and private-nodes: false are explicit unsafe choices: the job summary and
 * the pull request comment both say so (the log says it through the same list, src/run.ts), and nothing says it without.
 */
import { describe, expect, it } from '@jest/globals';
import { dryRunState } from '../src/engine/placeholders.js';
import {
  finalBackupWarning,
  publicNodesWarning,
  unsafeChoiceWarnings,
  unpinnedToolsWarning,
  upgradeBackupWarning
} from '../src/inputs.js';
import { renderPostsPreview } from '../src/report/publish.js';
import { makeInputs } from './support/github-fixture.js';

describe('allow-unpinned-tools is announced', () => {
  it('in the summary and in the comment, as a warning', () => {
    const inputs = makeInputs({ command: 'plan', 'allow-unpinned-tools': 'true' });
    const warning = unpinnedToolsWarning(inputs);
    expect(warning).toMatch(/without a digest pinned in the action's source/);
    const text = renderPostsPreview(inputs, dryRunState(inputs));
    const [summary, comment] = text.split('### Pull request comment');
    expect(summary).toContain(`> [!WARNING]\n> ${warning}`);
    expect(comment).toContain(`> [!WARNING]\n> ${warning}`);
    expect(unsafeChoiceWarnings(inputs)).toContain(warning);
  });

  it('not at all when it is off (the default)', () => {
    const inputs = makeInputs({ command: 'plan' });
    expect(inputs.allowUnpinnedTools).toBe(false);
    expect(unsafeChoiceWarnings(inputs)).toEqual([]);
    expect(renderPostsPreview(inputs, dryRunState(inputs))).not.toContain('allow-unpinned-tools');
  });
});

describe('private-nodes: false is announced', () => {
  it('in the summary and in the comment, as a warning', () => {
    const inputs = makeInputs({ command: 'plan', 'private-nodes': 'false' });
    const warning = publicNodesWarning(inputs);
    expect(warning).toMatch(/external IP addresses \(private-nodes: false\)/);
    const text = renderPostsPreview(inputs, dryRunState(inputs));
    const [summary, comment] = text.split('### Pull request comment');
    expect(summary).toContain(`> [!WARNING]\n> ${warning}`);
    expect(comment).toContain(`> [!WARNING]\n> ${warning}`);
    expect(unsafeChoiceWarnings(inputs)).toContain(warning);
  });

  it('not at all with private nodes (the default)', () => {
    const inputs = makeInputs({ command: 'plan' });
    expect(inputs.privateNodes).toBe(true);
    expect(publicNodesWarning(inputs)).toBeUndefined();
    expect(renderPostsPreview(inputs, dryRunState(inputs))).not.toContain('private-nodes');
  });
});

describe('declining a database backup is announced', () => {
  it.each([
    ['deploy', { 'backup-before-upgrade': 'false' }, upgradeBackupWarning, /no backup taken first/],
    [
      'upgrade',
      { 'backup-before-upgrade': 'false' },
      upgradeBackupWarning,
      /no backup taken first/
    ],
    ['destroy', { 'final-backup': 'false' }, finalBackupWarning, /without taking a backup first/]
  ] as const)('%s with %j: in the summary and the comment', (command, values, warn, text) => {
    const inputs = makeInputs({ command, 'confirm-destroy': 'flyte-dev', ...values });
    const warning = warn(inputs);
    expect(warning).toMatch(text);
    const posts = renderPostsPreview(inputs, dryRunState(inputs));
    expect(posts).toContain(`> [!WARNING]\n> ${warning}`);
    expect(unsafeChoiceWarnings(inputs)).toContain(warning);
  });

  it('not by default, nor by a command the choice does not touch', () => {
    for (const command of ['deploy', 'upgrade', 'destroy'] as const) {
      const inputs = makeInputs({ command, 'confirm-destroy': 'flyte-dev' });
      expect([inputs.backupBeforeUpgrade, inputs.finalBackup]).toEqual([true, true]);
      expect(unsafeChoiceWarnings(inputs)).toEqual([]);
    }
    const plan = makeInputs({
      command: 'plan',
      'backup-before-upgrade': 'false',
      'final-backup': 'false'
    });
    expect(unsafeChoiceWarnings(plan)).toEqual([]);
  });
});
