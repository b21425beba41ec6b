/**
 * terraform_V_SHA256SUMS is trusted only once HashiCorp's detached signature beside it
 * (terraform_V_SHA256SUMS.sig, on the same host or mirror) verifies against the release key in
 * the action's source. Without it the checksum file would prove only that the archive came from
 * the same place as the checksum file, which a mirror or anyone between can make agree.
 * The sums are read from the very bytes the signature covers.
 */
import { StepError } from '../../errors.js';
import { DEFAULT_VERSIONS } from '../../inputs.js';
import type { PublisherFiles } from '../download.js';
import { HttpStatusError } from '../http.js';
import { HASHICORP_RELEASE_KEY_FINGERPRINT } from '../pins/release-keys.js';
import { spacedFingerprint, verifyDetachedSignature } from '../release-signature.js';

/** The text of `sumsUrl` once its `.sig` verifies; a StepError naming version, URL and fix. */
export async function signedSums(
  version: string,
  sumsUrl: string,
  from: PublisherFiles
): Promise<string> {
  const sigUrl = `${sumsUrl}.sig`;
  const sums = await from.bytes(sumsUrl);
  const file = sumsUrl.slice(sumsUrl.lastIndexOf('/') + 1);
  const key = `HashiCorp's release key (${spacedFingerprint(HASHICORP_RELEASE_KEY_FINGERPRINT)})`;
  const fix = `Set terraform-version to a version pinned in the action (such as ${DEFAULT_VERSIONS.terraform})${from.mirror ? `, or make tool-mirror serve HashiCorp's ${file} and ${file}.sig unchanged` : ''}.`;
  let signature: Buffer;
  try {
    signature = await from.bytes(sigUrl);
  } catch (error) {
    if (!(error instanceof HttpStatusError && error.status === 404)) throw error;
    throw new StepError(
      'install-tools',
      `terraform ${version}: ${from.fetchedUrl(sigUrl)} is missing (HTTP 404), so ${file} cannot be shown to be signed by ${key}; nothing was installed. HashiCorp publishes a .sig for every release. ${fix}`
    );
  }
  let signer;
  try {
    signer = await verifyDetachedSignature(sums, signature, from.releaseKeys);
  } catch (error) {
    throw new StepError(
      'install-tools',
      `terraform ${version}: the signature ${from.fetchedUrl(sigUrl)} does not verify ${from.fetchedUrl(sumsUrl)} against ${key}: ${(error as Error).message}. Nothing was installed; the checksum file or its signature was changed${from.mirror ? ' (check the mirror)' : ''}, or HashiCorp has replaced its key and the action's copy (src/tools/pins/release-keys.ts) needs refreshing. ${fix}`
    );
  }
  const made = signer.created.toISOString();
  if (signer.hashicorp) {
    from.log.info(
      `terraform ${version}: ${file} is signed by ${key}, subkey ${spacedFingerprint(signer.signingKey)}, on ${made}.`
    );
  } else {
    from.log.warning(
      `terraform ${version}: ${file} is signed by ${spacedFingerprint(signer.fingerprint)}, NOT HashiCorp's release key: a key added through the test-only FLYTE_GKE_TEST_PINS file, which a real run never reads.`
    );
  }
  return sums.toString('utf8');
}
