/**
 * Is there GPU quota for the requested pool? Compute Engine v1 `GET /compute/v1/projects/{p}/
 * regions/{region}` answers a Region with `quotas[]` of {metric, limit, usage}; the project's
 * `GET /compute/v1/projects/{p}` carries the all-regions `GPUS_ALL_REGIONS` quota, which new
 * projects often have at 0. Metric names per accelerator are the Quota.metric enum values of the
 * Compute Engine REST reference (NVIDIA_L4_GPUS, NVIDIA_T4_GPUS, ...); the pool is on-demand, so
 * the PREEMPTIBLE_* metrics do not apply.
 */
import type { GpuPool, Inputs } from '../inputs.js';
import type { GoogleApi } from './google-api.js';
import { readProblem, type PreflightResult } from './preflight-result.js';

export const GPU_QUOTA_CHECK = 'preflight-gpu-quota';

export const GPU_QUOTA_METRICS: Readonly<Record<string, string>> = {
  'nvidia-l4': 'NVIDIA_L4_GPUS',
  'nvidia-tesla-t4': 'NVIDIA_T4_GPUS',
  'nvidia-tesla-v100': 'NVIDIA_V100_GPUS',
  'nvidia-tesla-p4': 'NVIDIA_P4_GPUS',
  'nvidia-tesla-p100': 'NVIDIA_P100_GPUS',
  'nvidia-tesla-a100': 'NVIDIA_A100_GPUS',
  'nvidia-a100-80gb': 'NVIDIA_A100_80GB_GPUS',
  'nvidia-h100-80gb': 'NVIDIA_H100_GPUS',
  'nvidia-h100-mega-80gb': 'NVIDIA_H100_MEGA_GPUS'
};
const ALL_REGIONS = 'GPUS_ALL_REGIONS';

interface Quota {
  metric?: string;
  limit?: number;
  usage?: number;
}

/** GPUs the pool needs to exist at its minimum, and to start its first node. */
export const gpusNeeded = (pool: GpuPool): number =>
  Math.max(pool.minNodes, 1) * pool.acceleratorCount;

export function describeGpuQuotaCheck(inputs: Inputs, pool: GpuPool): string {
  return [
    `GET compute.googleapis.com/compute/v1/projects/${inputs.projectId}/regions/${inputs.region} (quota ${GPU_QUOTA_METRICS[pool.acceleratorType] ?? '?'})`,
    `GET compute.googleapis.com/compute/v1/projects/${inputs.projectId} (quota ${ALL_REGIONS})`,
    `Fails when either limit is below ${gpusNeeded(pool)} GPU(s): max(gpu-min-nodes, 1) × gpu-accelerator-count.`
  ].join('\n');
}

export async function checkGpuQuota(
  google: GoogleApi,
  inputs: Inputs,
  pool: GpuPool
): Promise<PreflightResult> {
  const subject = `GPU quota (${pool.acceleratorType} in ${inputs.region})`;
  const metric = GPU_QUOTA_METRICS[pool.acceleratorType];
  const project = encodeURIComponent(inputs.projectId);
  let regional: Quota[];
  let global: Quota[];
  try {
    [regional, global] = await Promise.all([
      google
        .request<{ quotas?: Quota[] }>({
          service: 'compute',
          path: `/compute/v1/projects/${project}/regions/${encodeURIComponent(inputs.region)}`
        })
        .then((r) => r.quotas ?? []),
      google
        .request<{ quotas?: Quota[] }>({
          service: 'compute',
          path: `/compute/v1/projects/${project}`
        })
        .then((p) => p.quotas ?? [])
    ]);
  } catch (error) {
    const problem = readProblem(error, 'compute.googleapis.com');
    const why =
      problem.kind === 'api-disabled'
        ? 'the Compute Engine API is off (the module enables it; quota is checked on the next run)'
        : problem.message;
    return {
      check: GPU_QUOTA_CHECK,
      subject,
      status: 'not-checked',
      found: `Could not read the quotas: ${why}`
    };
  }
  const need = gpusNeeded(pool);
  const inRegion = regional.find((q) => q.metric === metric);
  const everywhere = global.find((q) => q.metric === ALL_REGIONS);
  if (!metric || !inRegion) {
    return {
      check: GPU_QUOTA_CHECK,
      subject,
      status: 'not-checked',
      found: `${inputs.region} lists no quota ${metric ?? `for ${pool.acceleratorType}`}; the region may not offer ${pool.acceleratorType} (Google Cloud, "GPU regions and zones").`
    };
  }
  const short = [
    ...(Number(inRegion.limit ?? 0) < need
      ? [`${metric} in ${inputs.region} is ${inRegion.limit ?? 0}`]
      : []),
    ...(everywhere && Number(everywhere.limit ?? 0) < need
      ? [`${ALL_REGIONS} is ${everywhere.limit ?? 0}`]
      : [])
  ];
  if (short.length > 0) {
    return {
      check: GPU_QUOTA_CHECK,
      subject,
      status: 'fail',
      found: `The GPU pool needs ${need} ${pool.acceleratorType} GPU(s) (${Math.max(pool.minNodes, 1)} node(s) × ${pool.acceleratorCount}), but ${short.join(' and ')}.`,
      fixes: [
        `Request a quota increase for ${short.map((s) => s.split(' ')[0]).join(' and ')} (at least ${need}): https://console.cloud.google.com/iam-admin/quotas?project=${inputs.projectId}, or choose a region or gpu-accelerator-type with quota.`
      ]
    };
  }
  const free = Number(inRegion.limit ?? 0) - Number(inRegion.usage ?? 0);
  return {
    check: GPU_QUOTA_CHECK,
    subject,
    status: 'pass',
    found: `${metric} in ${inputs.region}: limit ${inRegion.limit}, in use ${inRegion.usage ?? 0}${everywhere ? `; ${ALL_REGIONS}: limit ${everywhere.limit}` : ''}; the pool needs ${need}.${free < need ? ` Only ${free} free now: GPU nodes wait until other VMs release theirs.` : ''}`
  };
}
