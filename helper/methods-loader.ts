/**
 * Loads the helper's second part (./methods-bundle.ts: zod, every method, apply…)
 * into the entry (./main.ts), which answers the first hello without it.
 *
 * From a bundle: helper-methods.cjs beside the entry, read when the helper starts
 * (a millisecond) and compiled only when first needed, so a rebuild that replaces
 * the file meanwhile cannot hand a running helper code of another build. From
 * sources (tsx): the module itself.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileFunction } from 'node:vm';
import { HELPER_METHODS_BUNDLE } from './bundle-files';
import type { MethodsPart } from './methods-bundle';

const HERE = fileURLToPath(import.meta.url);

/** Returns the loader; call it when the helper starts (a bundle reads its second file then). */
export function methodsLoader(): () => Promise<MethodsPart> {
  if (HERE.endsWith('.ts')) {
    // a computed specifier, so no bundler follows it into the entry's own bundle
    const source = pathToFileURL(join(dirname(HERE), 'methods-bundle.ts')).href;
    return () => import(source) as Promise<MethodsPart>;
  }
  const file = join(dirname(HERE), HELPER_METHODS_BUNDLE);
  const code = readFileSync(file, 'utf8');
  return async () => {
    // what require() does with a CommonJS file, on the text read at start
    const run = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
    const module = { exports: {} as MethodsPart };
    run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
    return module.exports;
  };
}
