/** One naming rule for the values, the action's chart and Terraform, within Kubernetes' limits. */
import { describe, expect, it } from '@jest/globals';
import { terraformVarsJson } from '../src/tools/terraform/args.js';
import { flyteNames } from '../src/values/names.js';
import { testInputs } from './support/fakes.js';

describe('names derived from release-name', () => {
  it('at the 42-character limit, every object name fits', () => {
    const release = `flyte-${'a'.repeat(36)}`;
    expect(release).toHaveLength(42);
    const names = flyteNames(testInputs({ 'release-name': release }));
    // The chart's longest Service name, and the action's own release (Helm: 53).
    expect(`${names.fullName}-webhook`.length).toBeLessThanOrEqual(63);
    expect(names.httpService.length).toBeLessThanOrEqual(63);
    expect(names.grpcService.length).toBeLessThanOrEqual(63);
    expect(names.gkeRelease.length).toBeLessThanOrEqual(53);
    for (const name of [
      names.managedCertificate,
      names.backendConfig,
      names.frontendConfig,
      names.oauthSecret
    ]) {
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('Terraform binds workload identity to the service account name the values use', () => {
    for (const release of ['flyte-backend', 'my-flyte-binary', `flyte-${'b'.repeat(36)}`]) {
      const inputs = testInputs({ 'release-name': release });
      const vars = JSON.parse(terraformVarsJson(inputs)) as Record<string, unknown>;
      expect(vars.flyte_service_account_name).toBe(flyteNames(inputs).fullName);
    }
    expect(flyteNames(testInputs({ 'release-name': 'my-flyte-binary' })).fullName).toBe(
      'my-flyte-binary'
    );
  });
});
