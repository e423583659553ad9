// eslint's configuration for the page and the demo extensions (web/), and
// for the npm package's Node code (npm/): a few rules that catch bugs, and
// one quote style. tsc (tsconfig.json, npm/cpsim/tsconfig.json) checks the
// types; this catches what it does not.
import globals from "globals";

const rules = {
  "no-undef": "error",
  "no-unused-vars": ["error", { args: "after-used", ignoreRestSiblings: true, caughtErrors: "none" }],
  // A module's top-level code must not read a binding before its
  // declaration runs (a TDZ error at load); functions may refer to
  // later declarations, which exist by the time they are called.
  "no-use-before-define": ["error", { functions: false, classes: true, variables: false }],
  "eqeqeq": ["error", "smart"],
  "no-implicit-globals": "error",
  "no-shadow-restricted-names": "error",
  "no-redeclare": "error",
  "no-dupe-keys": "error",
  "no-duplicate-case": "error",
  "no-fallthrough": "error",
  "no-self-assign": "error",
  "no-self-compare": "error",
  "no-unreachable": "error",
  "no-unsafe-finally": "error",
  "no-unsafe-negation": "error",
  "no-cond-assign": ["error", "except-parens"],
  "no-const-assign": "error",
  "no-import-assign": "error",
  "no-func-assign": "error",
  "use-isnan": "error",
  "valid-typeof": "error",
  "no-var": "error",
  "quotes": ["error", "double", { avoidEscape: true, allowTemplateLiterals: false }],
};

export default [
  // Vendored files are kept as published (web/static/vendor/*/README.md).
  { ignores: ["web/static/vendor/"] },
  {
    files: ["web/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules,
  },
  {
    files: ["npm/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules,
  },
  // The Playwright fixture also has a function evaluated in the page.
  {
    files: ["npm/cpsim/lib/playwright.js"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
