// Types of layers.js (plain JS, because eslint.config.js loads it without a compiler).
export declare const LAYERS: string[][];
export declare function layerRules(): Array<{ files: string[]; rules: Record<string, unknown> }>;
