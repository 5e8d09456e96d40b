/**
 * Upstream's scope matching: only the granted side is a pattern. `*` grants everything; `p:*` grants
 * `p` itself and anything under `p:`; everything else must be equal. No mid-segment wildcards.
 */
export function scopeGranted(granted: string, required: string): boolean {
  if (granted === required || granted === "*") return true;
  if (granted.endsWith(":*")) {
    const prefix = granted.slice(0, -2);
    return required === prefix || required.startsWith(`${prefix}:`);
  }
  return false;
}

export function anyScopeGranted(granted: readonly string[], required: readonly string[]): boolean {
  return required.some((r) => granted.some((g) => scopeGranted(g, r)));
}
