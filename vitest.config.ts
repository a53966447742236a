import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs'],
    exclude: ['**/*.case.test.ts', 'node_modules/**', 'dist/**'],
    // Fails the run when a test leaves a file in the clone (tests write to temporary folders).
    globalSetup: ['src/testing/clone-untouched.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
