/**
 * The whole pull request comment stays under GitHub's limit, whatever part is large: the resource
 * table, the values diff and the plan at once. GitHub refuses a longer body with 422, and the pull
 * request would keep an old comment with a stale plan that reviewers could approve.
 */
import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { RunState } from '../src/engine/state.js';
import { COMMENT_LIMIT, renderComment } from '../src/report/comment.js';
import { flyteInputs } from './support/flyte-fixtures.js';

function hugeState(): RunState {
  const state = new RunState(false);
  const resources = Array.from({ length: 2500 }, (_, i) => ({
    address: `google_storage_bucket_object.artifact_with_a_long_name_${i}`,
    type: 'google_storage_bucket_object',
    action: (i % 3 === 0 ? 'update' : 'create') as 'update' | 'create',
    ...(i % 3 === 0 ? { attributes: [`metadata.version: "${i}" → "${i + 1}"`] } : {})
  }));
  state.planSummary = { add: 1667, change: 833, destroy: 0, resources };
  state.planHasChanges = true;
  state.planText = resources.map((r) => `  # ${r.address} will be ${r.action}d`).join('\n');
  const values = (n: number) =>
    Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`key_${i}`, `value-${i}-${n}`]));
  state.previousRelease = { chartVersion: 'v1.16.7', appVersion: '1.16.7', values: values(1) };
  state.valuesPreview = stringify(values(2));
  return state;
}

describe('the pull request comment budget', () => {
  it('keeps the whole body under 65,536 characters with a large table, values diff and plan', () => {
    const body = renderComment({
      inputs: flyteInputs({ command: 'plan' }),
      state: hugeState(),
      failure: undefined,
      secrets: [],
      runUrl: 'https://github.com/acme/flyte-platform/actions/runs/1',
      trigger: 'pull_request'
    });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    // Each large part was cut, not silently dropped: the reader is told where the rest is.
    expect(body).toContain('<!-- flyte-gke-action:acme-flyte/flyte -->');
    expect(body).toMatch(/job summary/);
  });
});
