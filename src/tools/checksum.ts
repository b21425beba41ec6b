/** Reading the checksum files publishers put next to their archives. */

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The hash for `fileName` in a `sha256sum`-style listing (`HASH  NAME` per line, as in
 * terraform_V_SHA256SUMS), or in a one-entry file that holds only a hash (as some `.sha256`
 * files do). Undefined when the listing does not name the file.
 */
export function hashFor(listing: string, fileName: string): string | undefined {
  const lines = listing
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  for (const line of lines) {
    const [hash, name] = line.split(/\s+/, 2);
    const cleanName = name?.replace(/^\*/, ''); // `*` marks binary mode in sha256sum output
    if (hash && SHA256.test(hash.toLowerCase()) && cleanName === fileName)
      return hash.toLowerCase();
  }
  const only = lines.length === 1 ? lines[0]?.toLowerCase() : undefined;
  return only && SHA256.test(only) ? only : undefined;
}
