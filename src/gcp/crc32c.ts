/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum Secret Manager reports as
 * `payload.dataCrc32c`. Node's zlib.crc32 is the other CRC-32 (IEEE), so it cannot be used.
 * Check value: crc32c("123456789") = 0xE3069283.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
