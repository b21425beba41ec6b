/**
 * Every container image the action writes into the values is pinned by digest: a tag can be
 * moved to other code, and the TLS proxy runs in the pod that holds the Flyte identity and the
 * TLS key. The check walks the rendered values, so a new image added anywhere is caught too.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { patchValues } from '../src/values/patch.js';
import { flyteInputs, tfOutputs } from './support/flyte-fixtures.js';
import { PROJECT_ROOT } from './support/project.js';

const TEMPLATE = readFileSync(path.join(PROJECT_ROOT, 'helm', 'flyte-values.yaml'), 'utf8');
const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Image references without a digest, by their path in the values. */
function undigestedImages(node: unknown, at = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => undigestedImages(item, `${at}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => {
    const here = at ? `${at}.${key}` : key;
    if (key === 'image' && typeof value === 'string') {
      return DIGEST.test(value) ? [] : [`${here}: ${value}`];
    }
    // The chart style: image: { repository, tag, digest }.
    if (key === 'image' && value && typeof value === 'object' && 'repository' in value) {
      const digest = (value as { digest?: unknown }).digest;
      return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest)
        ? []
        : [`${here}: ${JSON.stringify(value)}`];
    }
    return undigestedImages(value, here);
  });
}

describe('image references in the rendered values', () => {
  it('the check refuses a tag, and a repository/tag pair, without a digest', () => {
    expect(
      undigestedImages({
        sidecars: [{ image: 'nginxinc/nginx-unprivileged:1.27-alpine' }],
        deployment: { image: { repository: 'cr.flyte.org/flyteorg/flyte-binary', tag: 'v1' } }
      })
    ).toEqual([
      'sidecars[0].image: nginxinc/nginx-unprivileged:1.27-alpine',
      'deployment.image: {"repository":"cr.flyte.org/flyteorg/flyte-binary","tag":"v1"}'
    ]);
  });

  it.each([
    ['without ingress', {}],
    ['with ingress and its TLS proxy sidecar', { ingress: 'true', 'allow-unauthenticated': 'true' }]
  ])('%s: every image is pinned by digest', (_name, overrides: Record<string, string>) => {
    const values = patchValues(TEMPLATE, flyteInputs(overrides), tfOutputs()).toJS() as unknown;
    expect(undigestedImages(values)).toEqual([]);
  });

  it('the TLS proxy sidecar is there to check, by digest', () => {
    const values = patchValues(
      TEMPLATE,
      flyteInputs({ ingress: 'true', 'allow-unauthenticated': 'true' }),
      tfOutputs()
    ).toJS() as { deployment: { sidecars: { name: string; image: string }[] } };
    const proxy = values.deployment.sidecars.find((s) => s.name === 'tls-proxy');
    expect(proxy?.image).toMatch(/^nginxinc\/nginx-unprivileged:1\.27-alpine@sha256:[0-9a-f]{64}$/);
  });
});
