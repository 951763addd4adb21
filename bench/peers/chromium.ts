// Headless Chromium as every benchmark drives it: Debian's package, no request off 127.0.0.1, WebGPU on.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './models';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Nothing but 127.0.0.1 resolves: no request can leave the machine.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

/** A package's dist/ directory in this installation (onnxruntime-web exports no package.json to resolve). */
export function packageDist(name: string): string {
  const dist = path.join(REPO_ROOT, 'node_modules', name, 'dist');
  if (!existsSync(dist)) throw new Error(`${dist} does not exist: run npm install (${name} is needed to serve its wasm files)`);
  return dist;
}
