// A Vite plugin for every bundle that contains tfjs-backend-wasm (the app's worker, the benchmark page).
import type { Plugin } from 'vite';

/**
 * tfjs-wasm starts its pthread workers from the source text of its threaded module's factory
 * (Function.prototype.toString). Minified, that text names variables renamed outside it, and every worker
 * dies with "e is not defined" while tf.setBackend('wasm') waits forever. So the factory is given a
 * toString that returns the module's original source, which minification does not touch.
 */
export function tfjsWasmThreadsSurviveMinification(): Plugin {
  const declaration = 'var WasmBackendModuleThreadedSimd = ';
  const exportsTail = '\nif (typeof exports';
  return {
    name: 'tfjs-wasm-threads-survive-minification',
    transform(code, id) {
      if (!id.endsWith('tfjs-backend-wasm-threaded-simd.js')) return undefined;
      const start = code.indexOf(declaration);
      const end = code.indexOf(exportsTail);
      if (start < 0 || end < start) this.error(`${id}: its factory declaration was not found; re-check wasm threads in a production build`);
      const factorySource = code.slice(start + declaration.length, end).trim().replace(/;$/, '');
      return `${code}\nWasmBackendModuleThreadedSimd.toString = () => ${JSON.stringify(factorySource)};\n`;
    },
  };
}
