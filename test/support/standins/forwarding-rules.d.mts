/** Types of forwarding-rules.mjs for the TypeScript harness. */
export function internalForwardingRules(world: object): {
  name: string;
  region: string;
  loadBalancingScheme: string;
  description: string;
}[];
