/** Called once after every singleton is constructed, before the application serves; may be async. */
export interface OnInit {
  onInit(): void | Promise<void>;
}

/** Called once at shutdown (or at the end of a request scope), in reverse creation order. */
export interface OnDestroy {
  onDestroy(): void | Promise<void>;
}

export function hasOnInit(instance: unknown): instance is OnInit {
  return typeof (instance as Partial<OnInit> | null)?.onInit === "function";
}

export function hasOnDestroy(instance: unknown): instance is OnDestroy {
  return typeof (instance as Partial<OnDestroy> | null)?.onDestroy === "function";
}
