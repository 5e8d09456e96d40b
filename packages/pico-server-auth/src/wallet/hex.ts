const HEX_RE = /^(?:0[xX])?((?:[0-9a-fA-F]{2})+)$/;

/**
 * Strict hex decoding: an optional "0x"/"0X" prefix, then a non-empty, even number of hex digits
 * (either case). Anything else (odd length, whitespace, other characters, empty) → `undefined`.
 * Unlike `Buffer.from(s, "hex")`, which silently truncates at the first bad character.
 */
export function decodeHex(value: string): Uint8Array | undefined {
  if (typeof value !== "string") return undefined;
  const digits = HEX_RE.exec(value)?.[1];
  if (digits === undefined) return undefined;
  // Every character is a hex digit and their number is even: Buffer's decoder cannot truncate here.
  return new Uint8Array(Buffer.from(digits, "hex"));
}
