export declare const SOURCES: readonly string[];
export declare function isBuildStale(): boolean;
export declare function buildIfStale(options?: { quiet?: boolean; stdio?: 'inherit' | 'pipe'; onOutput?: (text: string) => void }): number;
