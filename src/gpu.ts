/**
 * GPU accelerators and the machine types that carry them, checked before any cloud call so a
 * mismatch costs no 10-minute apply. Source: Google Cloud, "GPU machine types"
 * (https://cloud.google.com/compute/docs/gpus, read 2026-12): the accelerator-optimized types
 * (A3, A2, G2) come with a fixed number of one GPU model each; N1 types take T4, V100, P4 or P100
 * attached in counts of 1, 2, 4 (and 8 for V100).
 * - A3 Mega `a3-megagpu-8g`: 8 × nvidia-h100-mega-80gb; A3 High `a3-highgpu-{1,2,4,8}g` and A3
 *   Edge `a3-edgegpu-8g`: nvidia-h100-80gb.
 * - A2 Ultra `a2-ultragpu-{1,2,4,8}g`: nvidia-a100-80gb; A2 Standard `a2-highgpu-{1,2,4,8}g` and
 *   `a2-megagpu-16g`: nvidia-tesla-a100 (40 GB).
 * - G2 `g2-standard-{4,8,12,16,32}` (1 GPU), `-24` (2), `-48` (4), `-96` (8): nvidia-l4.
 */
export interface AcceleratorFamily {
  /** Machine type prefix of the family, e.g. `g2-` (the error names it). */
  readonly family: string;
  /**
   * The machine types with this GPU built in, each with its GPU count, the default for a count
   * first; undefined where GPUs are attached to general-purpose N1 types of any size.
   */
  readonly machineTypes?: Readonly<Record<string, number>>;
  /** The default machine type for `count` GPUs per node. */
  readonly machineFor: (count: number) => string | undefined;
}

const n1 = (count: number) =>
  ({ 1: 'n1-standard-4', 2: 'n1-standard-8', 4: 'n1-standard-16', 8: 'n1-standard-32' })[count];

/** A family of fixed machine types: the default for a count is the first type with it. */
const fixed = (family: string, machineTypes: Record<string, number>): AcceleratorFamily => ({
  family,
  machineTypes,
  machineFor: (count) => Object.entries(machineTypes).find(([, c]) => c === count)?.[0]
});

export const ACCELERATORS: Readonly<Record<string, AcceleratorFamily>> = {
  'nvidia-l4': fixed('g2-', {
    'g2-standard-4': 1,
    'g2-standard-8': 1,
    'g2-standard-12': 1,
    'g2-standard-16': 1,
    'g2-standard-32': 1,
    'g2-standard-24': 2,
    'g2-standard-48': 4,
    'g2-standard-96': 8
  }),
  'nvidia-tesla-a100': fixed('a2-', {
    'a2-highgpu-1g': 1,
    'a2-highgpu-2g': 2,
    'a2-highgpu-4g': 4,
    'a2-highgpu-8g': 8,
    'a2-megagpu-16g': 16
  }),
  'nvidia-a100-80gb': fixed('a2-', {
    'a2-ultragpu-1g': 1,
    'a2-ultragpu-2g': 2,
    'a2-ultragpu-4g': 4,
    'a2-ultragpu-8g': 8
  }),
  'nvidia-h100-80gb': fixed('a3-', {
    'a3-highgpu-1g': 1,
    'a3-highgpu-2g': 2,
    'a3-highgpu-4g': 4,
    'a3-highgpu-8g': 8,
    'a3-edgegpu-8g': 8
  }),
  'nvidia-h100-mega-80gb': fixed('a3-', { 'a3-megagpu-8g': 8 }),
  'nvidia-tesla-t4': { family: 'n1-', machineFor: n1 },
  'nvidia-tesla-v100': { family: 'n1-', machineFor: n1 },
  'nvidia-tesla-p4': { family: 'n1-', machineFor: n1 },
  'nvidia-tesla-p100': { family: 'n1-', machineFor: n1 }
};

/** The accelerator a fixed machine type carries, if any (for the error's suggestion). */
const carriedBy = (machineType: string): string | undefined =>
  Object.entries(ACCELERATORS).find(([, f]) => f.machineTypes?.[machineType] !== undefined)?.[0];

/**
 * Why this accelerator, machine type and GPU count do not go together, or undefined when they
 * do. Without a count only the accelerator and machine type are compared.
 */
export function acceleratorMismatch(
  accelerator: string,
  machineType: string,
  count?: number
): string | undefined {
  const known = ACCELERATORS[accelerator];
  if (!known) {
    return `${accelerator} is not a GPU type GKE offers for node pools. Use one of ${Object.keys(ACCELERATORS).join(', ')}.`;
  }
  const familyName = known.family.slice(0, -1).toUpperCase();
  if (!machineType.startsWith(known.family)) {
    return `${accelerator} runs only on ${familyName} machine types (${known.family}*), not ${machineType}. Use a ${known.family}* machine type, or leave gpu-machine-type empty for ${known.machineFor(1) ?? known.machineFor(8) ?? `a ${known.family}* type`}.`;
  }
  if (!known.machineTypes) return undefined;
  const carried = known.machineTypes[machineType];
  if (carried === undefined) {
    const other = carriedBy(machineType);
    return `${machineType} ${other ? `carries ${other}, not ${accelerator}` : `is not a machine type with ${accelerator}`}. ${accelerator} comes with ${Object.keys(known.machineTypes).join(', ')}; or leave gpu-machine-type empty to take the one for gpu-accelerator-count.`;
  }
  if (count !== undefined && count !== carried) {
    return `${machineType} comes with exactly ${carried} ${accelerator} GPU${carried === 1 ? '' : 's'}, not ${count}. Set gpu-accelerator-count to ${carried}, or choose the machine type for ${count} (${known.machineFor(count) ?? `none has ${count}`}).`;
  }
  return undefined;
}
