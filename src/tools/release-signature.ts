/**
 * Checks a publisher's detached binary OpenPGP signature (HashiCorp's `SHA256SUMS.sig`) over
 * the exact bytes of the signed file, against armored public keys from the action's source.
 *
 * Time: openpgp.js checks the signing key and subkey at the signature's own creation time (was
 * the key valid, unrevoked and allowed to sign when it signed?) and the signature itself against
 * `now` (not created in the future, not expired). We keep that and pass the wall clock as `now`.
 * So a release HashiCorp signed while a subkey was valid still verifies after that subkey
 * expires, as `gpg --verify` reports it good; refusing it would break every older terraform
 * version on the day a subkey expires, while an expiry date protects little here: the key is a
 * copy in source, which learns of a revocation only when the copy is refreshed. What this
 * accepts that a check at `now` would not: a signature by a subkey that has since expired, made
 * (or backdated) to a time when it was valid. docs/threat-model.md lists that as open.
 */
import type { PublicKey } from 'openpgp';
import { HASHICORP_RELEASE_KEY_FINGERPRINT } from './pins/release-keys.js';

export interface SignedBy {
  /** The signer's primary key fingerprint, upper-case hex. */
  readonly fingerprint: string;
  /** The (sub)key that made the signature. */
  readonly signingKey: string;
  readonly created: Date;
  /** Signed by HashiCorp's release key, not by a key a test run added. */
  readonly hashicorp: boolean;
}

/** Resolves to who signed `data`, or rejects with why the signature is not good. */
export async function verifyDetachedSignature(
  data: Uint8Array,
  signature: Uint8Array,
  armoredKeys: readonly string[],
  now: Date = new Date()
): Promise<SignedBy> {
  // Loaded here only: a pinned version (the default) never needs openpgp.js, and parsing it would
  // add to every run's start-up.
  const { createMessage, readKey, readSignature, verify } = await import('openpgp');
  const keys = await Promise.all(armoredKeys.map((armoredKey) => readKey({ armoredKey })));
  const parsed = await readSignature({ binarySignature: signature }).catch((error: unknown) => {
    throw new Error(`it is not an OpenPGP signature (${message(error)})`);
  });
  const result = await verify({
    message: await createMessage({ binary: data }),
    signature: parsed,
    verificationKeys: keys,
    date: now
  });
  const reasons: string[] = [];
  for (const sig of result.signatures) {
    try {
      await sig.verified;
    } catch (error) {
      reasons.push(message(error));
      continue;
    }
    const signer = keys.find((key) => key.getKeys(sig.keyID).length > 0) as PublicKey;
    const fingerprint = signer.getFingerprint().toUpperCase();
    const packet = (await sig.signature).packets[0];
    return {
      fingerprint,
      signingKey: signer.getKeys(sig.keyID)[0]!.getFingerprint().toUpperCase(),
      created: packet?.created ?? now,
      hashicorp: fingerprint === HASHICORP_RELEASE_KEY_FINGERPRINT
    };
  }
  throw new Error(reasons.join('; ') || 'the file holds no signature');
}

/** `C874 011F …`, as HashiCorp prints fingerprints. */
export const spacedFingerprint = (hex: string) => hex.replace(/(.{4})(?=.)/g, '$1 ');

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
