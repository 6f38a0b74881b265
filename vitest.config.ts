import { defineConfig } from 'vitest/config';

// forks, not threads: raw-socket polls on libuv's default loop and crashes under worker threads.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // System tests share network namespaces and real daemons: run files one at a time per fork.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
