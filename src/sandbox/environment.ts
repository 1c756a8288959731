/**
 * isolated-vm requires Node's startup snapshot to be off (`node --no-node-snapshot`); without it, isolates
 * can crash the process. Fail early with instructions instead.
 */
export function assertIsolatesSupported(): void {
  const flag = '--no-node-snapshot';
  if (process.execArgv.includes(flag) || (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes(flag)) return;
  throw new Error(
    `The extractor sandbox (isolated-vm) needs Node started with ${flag}: run \`node ${flag} your-script\`, ` +
      `set NODE_OPTIONS=${flag}, or use the evaporate command, which adds it.`,
  );
}
