/**
 * What a runner would download besides the tools, served by a loopback mirror in the
 * publishers' layout: the flyte-binary chart repository and the Terraform registry's providers.
 */
import { publishChartRepo, type ChartRepoOptions } from './chart-repo.js';
import { publishProviders } from './provider-registry.js';
import type { Mirror } from './mirror.js';

export function publishUpstream(mirror: Mirror, options: { chart?: ChartRepoOptions } = {}): void {
  publishChartRepo(mirror, options.chart);
  publishProviders(mirror);
}
