export declare const RUNTIMES: Readonly<Record<"22" | "24" | "26", string>>;
export declare function exactVersion(wanted: unknown): string | undefined;
