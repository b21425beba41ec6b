/**
 * Every Kubernetes object the action renders or applies, validated against its real schema:
 * npm kubernetes-models for core objects, @kubernetes-models/gke for GKE's custom resources
 * (from their CRDs). An unknown kind is an error, so nothing goes unchecked by accident.
 */
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { BackendConfig } from '@kubernetes-models/gke/cloud.google.com/v1';
import { FrontendConfig } from '@kubernetes-models/gke/networking.gke.io/v1beta1';
import { ManagedCertificate } from '@kubernetes-models/gke/networking.gke.io/v1';
import { parseAllDocuments } from 'yaml';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Namespace': Namespace as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'networking.k8s.io/v1/Ingress': Ingress as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole as unknown as ModelClass,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding as unknown as ModelClass,
  'apiextensions.k8s.io/v1/CustomResourceDefinition':
    CustomResourceDefinition as unknown as ModelClass,
  'cloud.google.com/v1/BackendConfig': BackendConfig as unknown as ModelClass,
  'networking.gke.io/v1beta1/FrontendConfig': FrontendConfig as unknown as ModelClass,
  'networking.gke.io/v1/ManagedCertificate': ManagedCertificate as unknown as ModelClass
};

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string };
  readonly [key: string]: unknown;
}

/** Objects of a multi-document YAML (helm template output), List items flattened. */
export function objectsOf(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object')
    .flatMap((o) => (o.kind === 'List' ? ((o.items as K8sObject[]) ?? []) : [o]));
}

/** Every schema error, as `Kind/name: message`; empty when all objects are valid. */
export function schemaErrors(objects: readonly K8sObject[]): string[] {
  const errors: string[] = [];
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    const where = `${object.kind}/${object.metadata?.name ?? '?'}`;
    const Model = MODELS[key];
    if (!Model) {
      errors.push(`${where}: no schema known for ${key}; add it to test/support/k8s-schema.ts`);
      continue;
    }
    try {
      new Model(object as never).validate();
    } catch (error) {
      errors.push(`${where}: ${(error as Error).message.split('\n').slice(0, 6).join(' ')}`);
    }
  }
  return errors;
}
