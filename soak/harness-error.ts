/** A fault of the soak itself or of its setup, not an answer of the server: the soak exits 1. */
export class HarnessError extends Error {}
