/**
 * Builds the guest runtime (./guest/runtime.ts plus cheerio/slim) into one script, once per process.
 * The script evaluates to a plain object of the runtime's exports (esbuild exposes them as getters,
 * which isolated-vm references cannot read), without leaving a global behind.
 */
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ATTRIBUTES_CREATION = 'this.attribs = {};';

/** See ./guest/attributes.ts: htmlparser2 creates attribute objects with a prototype the guards recognise. */
const markAttributeObjects: Plugin = {
  name: 'evaporate-mark-attribute-objects',
  setup(build) {
    build.onLoad({ filter: /[\\/]htmlparser2[\\/]dist[\\/]esm[\\/]Parser\.js$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      if (!code.includes(ATTRIBUTES_CREATION)) {
        throw new Error(`htmlparser2 changed: "${ATTRIBUTES_CREATION}" not found in ${args.path}; update src/sandbox/bundle.ts`);
      }
      const helper = JSON.stringify(guestFile('attributes'));
      return {
        contents: `import { attributesPrototype as __attributesPrototype } from ${helper};\n` +
          code.replace(ATTRIBUTES_CREATION, 'this.attribs = Object.create(__attributesPrototype);'),
        loader: 'js',
      };
    });
  },
};

const GLOBAL_NAME = '__evaporateGuest';

/** A guest source beside this module: `.ts` when running from src, `.js` from the build in dist. */
function guestFile(name: string): string {
  return path.join(import.meta.dirname, 'guest', `${name}${path.extname(import.meta.filename)}`);
}
let cached: Promise<string> | undefined;

export function guestScript(): Promise<string> {
  cached ??= buildGuest();
  return cached;
}

async function buildGuest(): Promise<string> {
  // The async API because esbuild plugins need it.
  const result = await build({
    entryPoints: [guestFile('runtime')],
    inject: [guestFile('atob')],
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
    plugins: [markAttributeObjects],
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no output for the sandbox guest runtime');
  // Strict mode also keeps `fn.caller` from exposing runtime functions to user code.
  return `(function () {\n"use strict";\n${code}\nreturn { ...${GLOBAL_NAME} };\n})()`;
}
