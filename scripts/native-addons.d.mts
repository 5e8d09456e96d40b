export declare const ROOT: string;
export declare function abiPath(moduleDir: string, binary: string, abi: string, platform?: string, arch?: string): string;
export declare function relocateOwnBuilds(root?: string): void;
export declare function abiOf(nodeBinary: string): string;
export declare function buildForRuntime(runtimeDir: string, root?: string): void;
export declare function verifyRuntime(nodeBinary: string, root?: string): void;
export declare function resolvedBinding(root?: string): string;
