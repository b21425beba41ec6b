/** The plan comment's headline by risk, and each update's attributes before → after. */
import { describe, expect, it } from '@jest/globals';
import { RunState } from '../src/engine/state.js';
import { renderComment } from '../src/report/comment.js';
import { planRisk, summarisePlan } from '../src/terraform/plan-summary.js';
import { flyteInputs } from './support/flyte-fixtures.js';

const PASSWORD = 'pg-risk-canary-Zq81';
const change = (address: string, actions: string[], extra: Record<string, unknown> = {}) => ({
  address,
  type: address.split('.')[0],
  mode: 'managed',
  change: { actions, before: {}, after: {}, after_unknown: {}, ...extra }
});
const plan = (...resource_changes: unknown[]) =>
  summarisePlan({ format_version: '1.2', resource_changes } as never);

const comment = (summary: ReturnType<typeof plan>) => {
  const state = new RunState(false);
  state.planSummary = summary;
  state.planHasChanges = true;
  return renderComment({
    inputs: flyteInputs({ command: 'plan' }),
    state,
    failure: undefined,
    secrets: [PASSWORD],
    runUrl: undefined,
    trigger: 'pull_request'
  });
};

describe('plan risk', () => {
  it('🛑 when the database would be replaced, listed first with the attribute that forces it', () => {
    const summary = plan(
      change('google_compute_global_address.static_ip', ['delete']),
      change('google_sql_database_instance.main', ['delete', 'create'], {
        before: { database_version: 'POSTGRES_15' },
        after: { database_version: 'POSTGRES_16' },
        replace_paths: [['database_version']]
      })
    );
    expect(planRisk(summary)).toBe('data-loss');
    const body = comment(summary);
    expect(body).toContain('🛑 **The plan destroys or replaces a stateful resource');
    const first = body.indexOf('google_sql_database_instance.main');
    expect(first).toBeGreaterThan(-1);
    expect(first).toBeLessThan(body.indexOf('google_compute_global_address.static_ip'));
    expect(body).toContain('replaced (forced by `database_version`)');
  });

  it('⚠️ for any other destroy or replacement', () => {
    const summary = plan(change('google_compute_global_address.static_ip', ['delete']));
    expect(planRisk(summary)).toBe('destructive');
    expect(comment(summary)).toContain('⚠️ **The plan destroys or replaces resources.**');
  });

  it('✅ for creates and updates, with each changed attribute before → after, secrets redacted', () => {
    const summary = plan(
      change('google_container_node_pool.gpu', ['update'], {
        before: {
          autoscaling: [{ total_max_node_count: 2 }],
          node_config: [{ machine_type: 'g2-standard-4' }]
        },
        after: {
          autoscaling: [{ total_max_node_count: 4 }],
          node_config: [{ machine_type: 'g2-standard-4' }]
        }
      }),
      change('google_sql_user.flyte', ['update'], {
        before: { password: PASSWORD, name: 'flyte' },
        after: { password: 'pg-new-secret', name: 'flyte', host: null },
        before_sensitive: { password: true },
        after_sensitive: { password: true },
        after_unknown: { host: true }
      })
    );
    expect(planRisk(summary)).toBe('safe');
    const body = comment(summary);
    expect(body).toContain('✅ **No resource is destroyed or replaced.**');
    expect(body).toContain('`autoscaling.0.total_max_node_count: 2 → 4`');
    expect(body).not.toContain('machine_type');
    expect(body).toContain('`host: (none) → (known after apply)`');
    expect(body).not.toContain(PASSWORD);
    expect(body).not.toContain('pg-new-secret');
  });
});
