#!/usr/bin/env -S node --no-node-snapshot
// isolated-vm needs V8's startup snapshot off, which only a node command-line flag can do. The shebang passes
// it; when this file is started another way (`node bin/evaporate.js`), it starts itself again with the flag.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`evaporate needs Node.js 24 or later; this is ${process.version}. Install Node 24 and try again.`);
  process.exit(2);
}

// From a checkout the TypeScript sources run as they are; an installed package runs its build.
const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const entry = existsSync(source) ? source : built;

if (process.execArgv.includes('--no-node-snapshot')) {
  await import(pathToFileURL(entry).href);
} else {
  // The child gets its own process group, so each signal reaches it exactly once: forwarded from here. The IPC
  // channel is how it learns that this process died (even by SIGKILL), so it never runs on alone.
  const child = spawn(process.execPath, ['--no-node-snapshot', entry, ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    // Exit as a shell reports a process ended by a signal (SIGINT: 130), not 0.
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
  });
}
