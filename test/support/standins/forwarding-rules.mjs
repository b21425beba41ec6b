// The internal load balancers' forwarding rules in the stand-in world: GKE keeps one for each live
// gce-internal (gRPC) Ingress of the earlier layout. Shared by the stand-in gcloud and the
// harness's loopback Google (harness-google.ts).
import { liveIngresses as liveIn } from './kubectl.mjs';

/** Every live legacy Ingress, in any namespace (ns null) or one. */
function liveIngresses(world, ns) {
  const namespaces = ns
    ? [ns]
    : [...new Set(Object.keys(world.helm?.releases ?? {}).map((k) => k.split('/')[0]))];
  return namespaces.flatMap((n) => liveIn(world, n).map((name) => ({ ns: n, name })));
}

/** The rules, as Compute describes a ForwardingRule (name, region, scheme, description). */
export function internalForwardingRules(world) {
  return liveIngresses(world, null)
    .filter((i) => i.name.endsWith('-grpc'))
    .map((i) => ({
      name: `k8s2-fr-${i.ns}-${i.name}`.slice(0, 63),
      region: 'us-central1',
      loadBalancingScheme: 'INTERNAL_MANAGED',
      description: JSON.stringify({ 'kubernetes.io/ingress-name': `${i.ns}/${i.name}` })
    }));
}
