import { defineConfig } from 'vitest/config';

// forks, not threads: raw-socket polls on libuv's default loop and crashes under worker threads.
export default defineConfig({
  // Workspace packages (packages/*) resolve to their TypeScript sources, so tests never run a stale build.
  resolve: { conditions: ['ipvs-netlink-source'] },
  ssr: { resolve: { conditions: ['ipvs-netlink-source'] } },
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // System tests share network namespaces and real daemons: run files one at a time per fork.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
