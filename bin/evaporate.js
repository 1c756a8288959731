#!/usr/bin/env node
// Launcher: isolated-vm needs V8's startup snapshot off, which only a command-line flag can do,
// so the CLI runs in a child node started with --no-node-snapshot.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`evaporate needs Node.js 24 or later; this is ${process.version}. Install Node 24 and try again.`);
  process.exit(2);
}

const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const entry = existsSync(built) ? built : source;

const child = spawn(process.execPath, ['--no-node-snapshot', '--disable-warning=ExperimentalWarning', entry, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
// Ctrl-C reaches the child through the terminal's process group; the launcher only relays the outcome.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
