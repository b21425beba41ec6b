/**
 * The digest of what decides the Helm values before any Terraform output is known: the values
 * template, the extra values files and the inputs the action writes into the values. The plan
 * and the deploy compute it the same way, at the same point, so it can be compared.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Inputs } from '../inputs.js';
import { canonicalJson } from '../values/digest.js';

export function valuesSourcesDigest(
  inputs: Inputs,
  readText: (file: string) => string = (file) => readFileSync(file, 'utf8')
): string {
  const sources = {
    template: readText(inputs.valuesFile),
    extra: inputs.extraValuesFiles.map((file) => readText(file)),
    chartVersion: inputs.chartVersion,
    releaseName: inputs.releaseName,
    namespace: inputs.namespace,
    flyteProjects: inputs.flyteProjects,
    ingress: inputs.ingress,
    domain: inputs.domain ?? null,
    staticIpName: inputs.staticIpName,
    iap: inputs.iap,
    iapMembers: inputs.iapMembers,
    // Only when on, so digests reviewed before this input existed still match.
    ...(inputs.tasksReachFlyteApi ? { tasksReachFlyteApi: true } : {})
  };
  return createHash('sha256').update(canonicalJson(sources)).digest('hex');
}
