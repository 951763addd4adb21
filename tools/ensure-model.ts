// `npm start` runs this with --serve: makes sure public/model/ holds a model for the page, then starts Vite.
// - a real (converted) model there is kept;
// - otherwise, with network access, TF Hub's BERT (or --model) is converted into it, replacing a demo model;
// - without network access (found out within seconds), a demo model with seeded random weights and the
//   real vocabulary is generated once (metadata demo: true) and reused afterwards.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { convert } from '../converter/convert';
import { MODEL_FORMAT_VERSION } from '../converter/model-format';

export const DEFAULT_MODEL = 'bert_en_uncased_L-12_H-768_A-12';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OUT = path.join(REPO_ROOT, 'public', 'model');
const PROBE_TIMEOUT_MS = 4000;

/** A TF Hub model name, handle or URL → what the converter downloads. Bare names get TF Hub's latest version. */
export function tfhubHandle(model: string): string {
  if (/^[a-z]+:\/\//i.test(model) || /\/\d+$/.test(model)) return model;
  const name = model.replace(/^tensorflow\//, '');
  return `tensorflow/${name}/${name.startsWith('small_bert/') ? 2 : 4}`;
}

/** The host a handle is downloaded from, for the connectivity probe. */
function downloadOrigin(handle: string): string {
  return /^[a-z]+:\/\//i.test(handle) ? new URL(handle).origin : 'https://tfhub.dev';
}

/** Null when `origin` answers within a few seconds; otherwise why not. */
export async function probeNetwork(origin: string): Promise<string | null> {
  try {
    await fetch(origin, { method: 'HEAD', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return null;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
  }
}

interface Present {
  /** outdated: written by an older bert-convert (another format version), which the page cannot load. */
  kind: 'none' | 'demo' | 'real' | 'outdated';
  /** What a real model was converted from (metadata source description: the handle or path asked for). */
  source?: string;
}

function presentModel(out: string): Present {
  const modelJson = path.join(out, 'model.json');
  if (!existsSync(modelJson)) return { kind: 'none' };
  try {
    const bert = JSON.parse(readFileSync(modelJson, 'utf8'))?.userDefinedMetadata?.bert;
    const source = bert?.demo === true ? undefined : bert?.source?.description;
    if (bert?.formatVersion !== MODEL_FORMAT_VERSION) return { kind: 'outdated', source };
    return bert?.demo === true ? { kind: 'demo' } : { kind: 'real', source };
  } catch {
    return { kind: 'none' }; // unreadable: regenerate
  }
}

export interface EnsureModelOptions {
  out?: string;
  /** TF Hub model name, handle or URL (see tfhubHandle). */
  model?: string;
  /** Only make sure a demo model is there; never touch the network. */
  demoOnly?: boolean;
  /** The demo model's vocab.txt; default the shared English uncased vocabulary (../shared/vocab). */
  vocab?: string;
  /** Where downloads are cached (default: the converter's, ~/.cache/bert-tfjs). */
  cacheDir?: string;
  /** Connectivity check; default probeNetwork. */
  probe?: (origin: string) => Promise<string | null>;
  log?: (line: string) => void;
}

export type EnsureOutcome = 'kept-real' | 'converted' | 'kept-demo' | 'generated-demo';

export async function ensureModel(options: EnsureModelOptions = {}): Promise<EnsureOutcome> {
  const out = options.out ?? DEFAULT_OUT;
  const log = options.log ?? ((line: string) => console.log(line));
  const present = presentModel(out);
  if (present.kind === 'outdated') log(`The model in ${out} was written by an older bert-convert; the page cannot load it, so it is replaced.`);
  // An outdated real model is converted again from where it came from, unless another one is asked for.
  const requested = options.model === undefined ? (present.kind === 'outdated' ? present.source : undefined) : tfhubHandle(options.model);
  // A real model stays unless another one is asked for; --demo never replaces it.
  if (present.kind === 'real' && (options.demoOnly || requested === undefined || requested === present.source)) {
    log(options.demoOnly ? `Keeping the converted model in ${out}: --demo never replaces a real model.` : `Using the model in ${out}.`);
    return 'kept-real';
  }
  if (!options.demoOnly) {
    const handle = requested ?? tfhubHandle(DEFAULT_MODEL);
    const origin = downloadOrigin(handle);
    const offline = await (options.probe ?? probeNetwork)(origin);
    if (offline === null) {
      try {
        log(`Converting ${handle} into ${out} (downloads once, then cached) ...`);
        await convert({ from: handle, out, force: true, cacheDir: options.cacheDir, onLog: log });
        keepGitPlaceholder(out);
        return 'converted';
      } catch (error) {
        log(`Converting ${handle} failed: ${(error as Error).message}`);
      }
    } else {
      log(`No network access to ${origin} (${offline}): ${present.kind === 'real' ? 'keeping the model already there' : 'the page will use the demo model'}.`);
    }
  }
  if (present.kind === 'real') {
    log(`Using the model in ${out} (${present.source ?? 'converted earlier'}).`);
    return 'kept-real';
  }
  if (present.kind === 'demo') {
    log(`Using the demo model in ${out} (random weights: its similarities mean nothing).`);
    return 'kept-demo';
  }
  log(`Generating the demo model (seeded random weights, real vocabulary) in ${out} ...`);
  await convert({ from: 'random:tiny', out, seed: 0, force: true, vocab: options.vocab, onLog: log });
  keepGitPlaceholder(out);
  return 'generated-demo';
}

/** The converter replaces the whole directory; public/model/.gitkeep is tracked, so put it back. */
function keepGitPlaceholder(out: string): void {
  if (path.resolve(out) === DEFAULT_OUT) writeFileSync(path.join(out, '.gitkeep'), '');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      out: { type: 'string' },
      'cache-dir': { type: 'string' },
      demo: { type: 'boolean', default: false },
      vocab: { type: 'string' },
      serve: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(`Usage: tsx tools/ensure-model.ts [--model NAME|HANDLE|URL] [--out DIR] [--cache-dir DIR] [--demo]
  --model  TF Hub BERT to convert (default ${DEFAULT_MODEL}; e.g. small_bert/bert_en_uncased_L-4_H-512_A-8)
  --out    model directory (default public/model)
  --cache-dir DIR  where downloads are cached (default ~/.cache/bert-tfjs)
  --demo   only make sure the demo model (random weights) is there; no network
  --vocab FILE  the demo model's vocab.txt (default ../shared/vocab/bert-base-uncased-vocab.txt)
  --serve  then serve the app with Vite's dev server (what \`npm start\` does)`);
    return;
  }
  await ensureModel({ model: values.model, out: values.out, cacheDir: values['cache-dir'], demoOnly: values.demo, vocab: values.vocab });
  if (values.serve) {
    // Started from here rather than chained in package.json, so `npm start -- --model …` reaches this script.
    const vite = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'vite'), { stdio: 'inherit', cwd: REPO_ROOT });
    vite.on('exit', (code) => process.exit(code ?? 1));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: Error) => {
    console.error(`ensure-model: ${error.message}`);
    process.exit(1);
  });
}
