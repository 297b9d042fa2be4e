// The layers of src/, lowest first. A folder may import its own files and any folder of a lower
// layer, never one of its own layer or above (docs/architecture.md explains each). eslint.config.js
// turns this table into no-restricted-imports rules; test/architecture.test.ts checks that the rule
// fires and that no import cycle exists between files.
export const LAYERS = [
  ['core', 'wire'],
  ['config', 'signature', 'security', 'client'],
  ['store', 'receiver'],
  ['delivery'],
  ['observability'],
  ['api'],
  ['inbound', 'doctor', 'dashboard', 'bin'],
  ['runtime'],
  ['cli'],
];

/** no-restricted-imports config blocks, one per folder. */
export function layerRules() {
  return LAYERS.flatMap((layer, rank) =>
    layer.map((folder) => {
      const forbidden = LAYERS.slice(rank).flat().filter((f) => f !== folder);
      return {
        files: [`src/${folder}/**/*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
                  message: `src/${folder}/ may import only lower layers (${LAYERS.slice(0, rank).flat().join(', ') || 'none'}): see scripts/layers.js and docs/architecture.md.`,
                },
              ],
            },
          ],
        },
      };
    }),
  );
}
