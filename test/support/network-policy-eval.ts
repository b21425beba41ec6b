/**
 * A small evaluator of Kubernetes NetworkPolicy (networking.k8s.io/v1) for tests: may a pod open
 * a TCP connection to a pod or an address outside the cluster? It follows the API's rules: a pod
 * no policy selects (for that direction) is unrestricted; a selected pod may do what any selecting
 * policy's rules allow; a connection needs the source's egress and the destination's ingress.
 * Peers: podSelector (the policy's namespace), namespaceSelector, both (AND), ipBlock (with
 * except). ipBlock is applied to outside addresses only; pods are matched by their selectors, as
 * Cilium (GKE Dataplane V2) treats cluster endpoints. Named ports are not supported (refused).
 */

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

interface Peer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

interface Rule {
  readonly to?: readonly Peer[];
  readonly from?: readonly Peer[];
  readonly ports?: readonly { readonly protocol?: string; readonly port?: number | string }[];
}

export interface NetworkPolicyObject {
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace: string };
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
    readonly ingress?: readonly Rule[];
    readonly egress?: readonly Rule[];
  };
}

export interface Pod {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}
/** An address outside the cluster (an IPv4 literal). */
export interface External {
  readonly ip: string;
}
export type Endpoint = Pod | External;

const isPod = (e: Endpoint): e is Pod => 'namespace' in e;

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>) {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : !has;
    if (!ok) return false;
  }
  return true;
}

const ipNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (!base || base.includes(':')) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipNumber(ip) / size) === Math.floor(ipNumber(base) / size);
}

/** The namespace's labels, as Kubernetes sets them (kubernetes.io/metadata.name) plus any more. */
export type NamespaceLabels = (namespace: string) => Record<string, string>;
export const defaultNamespaceLabels: NamespaceLabels = (namespace) => ({
  'kubernetes.io/metadata.name': namespace
});

function peerMatches(
  peer: Peer,
  policyNamespace: string,
  other: Endpoint,
  nsLabels: NamespaceLabels
): boolean {
  if (peer.ipBlock) {
    if (isPod(other)) return false;
    return (
      inCidr(other.ip, peer.ipBlock.cidr) &&
      !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c))
    );
  }
  if (!isPod(other)) return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, nsLabels(other.namespace))
    : other.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector ?? {}, other.labels);
}

function portMatches(rule: Rule, port: number): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some(
    (p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port)
  );
}

function direction(
  policies: readonly NetworkPolicyObject[],
  pod: Pod,
  type: 'Ingress' | 'Egress',
  other: Endpoint,
  port: number,
  nsLabels: NamespaceLabels
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.kind === 'NetworkPolicy' &&
      p.metadata.namespace === pod.namespace &&
      selects(p.spec.podSelector, pod.labels as Record<string, string>) &&
      (p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'])).includes(type)
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (type === 'Egress' ? (p.spec.egress ?? []) : (p.spec.ingress ?? [])).some((rule) => {
      const peers = type === 'Egress' ? rule.to : rule.from;
      const peerOk =
        !peers ||
        peers.length === 0 ||
        peers.some((peer) => peerMatches(peer, p.metadata.namespace, other, nsLabels));
      return peerOk && portMatches(rule, port);
    })
  );
}

/** May `from` open a TCP connection to `to` on `port` under these policies? */
export function canConnect(
  policies: readonly NetworkPolicyObject[],
  from: Pod,
  to: Endpoint,
  port: number,
  nsLabels: NamespaceLabels = defaultNamespaceLabels
): boolean {
  const egress = direction(policies, from, 'Egress', to, port, nsLabels);
  const ingress = isPod(to) ? direction(policies, to, 'Ingress', from, port, nsLabels) : true;
  return egress && ingress;
}
