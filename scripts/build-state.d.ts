export declare const SOURCES: readonly string[];
export declare const CATALOG_STAMP: string;
export declare const DEFAULT_CATALOG: string;
export declare function resolveCatalogFile(argv?: readonly string[], env?: NodeJS.ProcessEnv, cwd?: string): string;
export declare function sha256OfFile(file: string): string | undefined;
export declare function isBuildStale(catalogFile?: string): boolean;
export declare function buildIfStale(options?: { quiet?: boolean; stdio?: 'inherit' | 'pipe'; onOutput?: (text: string) => void; catalog?: string }): number;
