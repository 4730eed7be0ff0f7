// Lint: typescript-eslint's recommended rules, plus the module boundaries of ARCHITECTURE.md:
// a module imports another only through its index.ts, and only in the allowed direction.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Which modules each module may import (by their index.ts only). `tls` is a leaf shared by the servers. */
const allowedImports = {
  model: [],
  tls: [],
  kube: ['tls'],
  codegen: ['model'],
  arm: ['model'],
  emulator: ['model', 'tls'],
  operator: ['model', 'arm', 'tls'],
  cli: ['model', 'codegen', 'kube', 'arm', 'emulator', 'operator', 'tls'],
};
const modules = Object.keys(allowedImports);

function boundaryRules(module) {
  const allowed = allowedImports[module];
  const forbidden = modules.filter((other) => other !== module && !allowed.includes(other));
  const patterns = [];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
      message: `${module} may import only ${allowed.join(', ') || 'no other module'} (see ARCHITECTURE.md).`,
    });
  }
  if (allowed.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${allowed.join('|')})/(?!index\\.js$).+`,
      message: 'Import another module only through its index.js.',
    });
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'generated/**', '.azo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...modules.map((module) => ({ files: [`src/${module}/**/*.ts`], rules: boundaryRules(module) })),
  // The operator process does not load @kubernetes/client-node (~70 MiB of RSS): its types only, erased at run time;
  // nor the database drivers until a User kind needs them.
  {
    files: ['src/operator/**/*.ts', 'src/cli/commands/operator.ts', 'src/cli/internal/kubeconfig-files.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@kubernetes/client-node',
              message: 'The operator talks to Kubernetes through kube-http.ts; import only types from client-node.',
              allowTypeImports: true,
            },
            // The database drivers load only when a User kind is reconciled: `await import()` them.
            ...['pg', 'mysql2', 'mysql2/promise', 'tedious'].map((name) => ({
              name,
              message:
                'Import database drivers with await import() where used, so an operator without User kinds never loads them.',
              allowTypeImports: true,
            })),
          ],
        },
      ],
    },
  },
  // The web view's pages run in the browser (served as they are by `azo dev`, no bundler).
  {
    files: ['web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly' },
    },
  },
);
