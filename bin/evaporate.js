#!/usr/bin/env node
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`evaporate needs Node.js 24 or later; this is ${process.version}. Install Node 24 and try again.`);
  process.exit(2);
}

// From a checkout the TypeScript sources run as they are; an installed package runs its build. No flags are needed:
// the sandbox starts its own processes with the ones isolated-vm wants (src/sandbox/process-sandbox.ts).
const { existsSync } = await import('node:fs');
const { fileURLToPath, pathToFileURL } = await import('node:url');
const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
await import(pathToFileURL(existsSync(source) ? source : built).href);
