/**
 * GPU accelerators and the machine families that carry them (GKE/Compute Engine: L4 on G2, A100
 * on A2, H100 on A3, T4/V100/P4/P100 attached to N1), with the machine type a pool of one GPU per
 * node defaults to. Checked before any cloud call, so a mismatch costs no 10-minute apply.
 */
export interface AcceleratorFamily {
  /** Machine type prefix, e.g. `g2-`. */
  readonly family: string;
  /** The default machine type for `count` GPUs per node. */
  readonly machineFor: (count: number) => string | undefined;
}

const n1 = (count: number) =>
  ({ 1: 'n1-standard-4', 2: 'n1-standard-8', 4: 'n1-standard-16', 8: 'n1-standard-32' })[count];

export const ACCELERATORS: Readonly<Record<string, AcceleratorFamily>> = {
  'nvidia-l4': {
    family: 'g2-',
    machineFor: (c) =>
      ({ 1: 'g2-standard-4', 2: 'g2-standard-24', 4: 'g2-standard-48', 8: 'g2-standard-96' })[c]
  },
  'nvidia-tesla-a100': {
    family: 'a2-',
    machineFor: (c) =>
      ({
        1: 'a2-highgpu-1g',
        2: 'a2-highgpu-2g',
        4: 'a2-highgpu-4g',
        8: 'a2-highgpu-8g',
        16: 'a2-megagpu-16g'
      })[c]
  },
  'nvidia-a100-80gb': {
    family: 'a2-',
    machineFor: (c) =>
      ({ 1: 'a2-ultragpu-1g', 2: 'a2-ultragpu-2g', 4: 'a2-ultragpu-4g', 8: 'a2-ultragpu-8g' })[c]
  },
  'nvidia-h100-80gb': {
    family: 'a3-',
    machineFor: (c) =>
      ({ 1: 'a3-highgpu-1g', 2: 'a3-highgpu-2g', 4: 'a3-highgpu-4g', 8: 'a3-highgpu-8g' })[c]
  },
  'nvidia-h100-mega-80gb': {
    family: 'a3-',
    machineFor: (c) => (c === 8 ? 'a3-megagpu-8g' : undefined)
  },
  'nvidia-tesla-t4': { family: 'n1-', machineFor: n1 },
  'nvidia-tesla-v100': { family: 'n1-', machineFor: n1 },
  'nvidia-tesla-p4': { family: 'n1-', machineFor: n1 },
  'nvidia-tesla-p100': { family: 'n1-', machineFor: n1 }
};

/** Why this accelerator and machine type do not go together, or undefined when they do. */
export function acceleratorMismatch(accelerator: string, machineType: string): string | undefined {
  const known = ACCELERATORS[accelerator];
  if (!known) {
    return `${accelerator} is not a GPU type GKE offers for node pools. Use one of ${Object.keys(ACCELERATORS).join(', ')}.`;
  }
  if (!machineType.startsWith(known.family)) {
    return `${accelerator} runs only on ${known.family.slice(0, -1).toUpperCase()} machine types (${known.family}*), not ${machineType}. Use a ${known.family}* machine type, or leave gpu-machine-type empty for ${known.machineFor(1) ?? `a ${known.family}* type`}.`;
  }
  return undefined;
}
