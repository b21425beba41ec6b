/**
 * A checksum of the TLS proxy's configuration, written as a pod annotation of flyte-binary.
 * The proxy's nginx.conf is a ConfigMap mounted with subPath, which Kubernetes never refreshes
 * in a running pod; a changed checksum changes the pod template (so the pod rolls) and the
 * flyte-binary values digest (so the action runs the upgrade at all).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { canonicalJson } from './digest.js';

export const PROXY_CONFIG_ANNOTATION = 'flyte-gke-action/proxy-config';

/** What the flyte-gke chart renders nginx.conf from: its template and its `proxy` values. */
export interface ProxyConfigSource {
  /** Text of templates/proxy-configmap.yaml. */
  readonly template: string;
  /** The chart's default `proxy` values (values.yaml), before the action's --set. */
  readonly defaults: Readonly<Record<string, unknown>>;
}

export function readProxyConfigSource(chartDir: string): ProxyConfigSource {
  const template = readFileSync(path.join(chartDir, 'templates', 'proxy-configmap.yaml'), 'utf8');
  const values = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as {
    proxy?: Record<string, unknown>;
  };
  return { template, defaults: values.proxy ?? {} };
}

/** sha256 of the template and the proxy values the action sets over the chart's defaults. */
export function proxyConfigChecksum(
  source: ProxyConfigSource,
  proxyValues: Readonly<Record<string, unknown>>
): string {
  return createHash('sha256')
    .update(`${source.template}\n${canonicalJson({ ...source.defaults, ...proxyValues })}`)
    .digest('hex');
}
