/**
 * Builds the guest runtime (./guest/runtime.ts plus cheerio/slim) into one script, once per process.
 * The script evaluates to a plain object of the runtime's exports (esbuild exposes them as getters, which isolated-vm references cannot read), without leaving a global behind.
 */
import { buildSync } from 'esbuild';
import path from 'node:path';

const GLOBAL_NAME = '__evaporateGuest';
let cached: string | undefined;

export function guestScript(): string {
  if (cached !== undefined) return cached;
  const result = buildSync({
    entryPoints: [path.join(import.meta.dirname, 'guest', 'runtime.ts')],
    inject: [path.join(import.meta.dirname, 'guest', 'atob.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: GLOBAL_NAME,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    target: 'es2024',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no output for the sandbox guest runtime');
  // Strict mode also keeps `fn.caller` from exposing runtime functions to user code.
  cached = `(function () {\n"use strict";\n${code}\nreturn { ...${GLOBAL_NAME} };\n})()`;
  return cached;
}
