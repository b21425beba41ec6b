/**
 * Everything the values phase computes, as one pure function of the files' text, the inputs and
 * the Terraform outputs: the patched document, its digest and a redacted preview.
 */
import type { Document } from 'yaml';
import type { TerraformOutputs } from '../engine/state.js';
import { mergeValues, setValue } from './document.js';
import { recordDigest, valuesDigest } from './digest.js';
import { gkeChartValues } from './gke-chart.js';
import { flyteNames } from './names.js';
import {
  mergeExtraValues,
  PATCHED_PATHS,
  passwordReference,
  patchValues,
  type ExtraValues,
  type PatchInputs
} from './patch.js';
import { redactedPreview } from './preview.js';
import {
  PROXY_CONFIG_ANNOTATION,
  proxyConfigChecksum,
  type ProxyConfigSource
} from './proxy-config.js';
import { secretValuesOf } from './secret-values.js';
import { FLYTE2_PATHS, patchFlyte2Values, type Flyte2PatchInputs } from '../flyte2/values.js';

export interface ValuesSources {
  readonly template: { readonly name: string; readonly text: string };
  readonly extras: readonly ExtraValues[];
  /** The flyte-gke chart's proxy configuration, whose checksum rolls the pod when it changes. */
  readonly proxyConfig: ProxyConfigSource;
}

export interface ComposedValues {
  readonly doc: Document;
  /** The file to hand to Helm (holds the password when one is given: never print it). */
  readonly text: string;
  readonly digest: string;
  readonly preview: string;
  /** Secret-looking values of the user's files (see secret-values.ts), for the run to mask. */
  readonly secrets: readonly string[];
}

/**
 * `password`: the database password the deployer read from Secret Manager, for the file only.
 * The digest and preview see the secret's version in its place (see passwordReference), so a
 * plan, which never has the password, computes the digest the deploy will record.
 */
export function composeValues(
  sources: ValuesSources,
  inputs: PatchInputs &
    Flyte2PatchInputs & { readonly chartVersion: string; readonly flyteVersion: 1 | 2 },
  outputs: TerraformOutputs,
  password?: string
): ComposedValues {
  const v2 = inputs.flyteVersion === 2;
  // Flyte 2 has its own keys (src/flyte2/values.ts) and no TLS proxy, so no proxy checksum.
  const doc = v2
    ? patchFlyte2Values(sources.template.text, inputs, outputs, sources.template.name)
    : patchValues(sources.template.text, inputs, outputs, sources.template.name);
  const passwordPath = v2 ? FLYTE2_PATHS.dbPassword : PATCHED_PATHS.dbPassword;
  if (inputs.ingress && !v2) {
    const proxy = gkeChartValues(inputs, flyteNames(inputs), '').proxy;
    mergeValues(
      doc,
      { [PROXY_CONFIG_ANNOTATION]: proxyConfigChecksum(sources.proxyConfig, proxy) },
      PATCHED_PATHS.podAnnotations
    );
  }
  mergeExtraValues(doc, sources.extras);
  const values = doc.toJS() as unknown;
  const digest = valuesDigest(values, inputs.chartVersion);
  recordDigest(doc, digest);
  const found = secretValuesOf(values);
  // Short values would mask ordinary words; the key-based mask covers the password anyway.
  const preview = redactedPreview(
    doc,
    [...(password !== undefined ? [password] : []), ...found].filter((s) => s.length >= 4)
  );
  // An extra values file that sets its own password keeps it.
  if (password !== undefined && doc.getIn(passwordPath) === passwordReference(outputs))
    setValue(doc, passwordPath, password);
  return { doc, text: doc.toString(), digest, preview, secrets: found };
}
