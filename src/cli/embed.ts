// bert-embed: embeds texts (arguments or stdin lines) or bert-tokenize's JSON lines with a converted model,
// writing one JSON object per input line to stdout.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Encoding } from '../tokenizer/types';
import type { BackendRequest, BertEncoder, Pooling } from '../encoder/types';
import { InvalidEncodingError } from '../encoder/encoder';

const USAGE = `Usage: bert-embed --model DIR [options] [TEXT ...]

Embeds each TEXT, or each line of stdin when no TEXT is given, and writes one JSON object per
text to stdout: {"text": ..., "tokens": [...], "embedding": [...]}.

Options:
  -m, --model DIR        model directory written by bert-convert (required)
  -b, --backend NAME     wasm (default) or cpu
  -p, --pooling NAME     pooled (default: the model's pooler), mean (mask-weighted mean) or cls
  -n, --normalize        scale every embedding to unit length
      --input KIND       text (default) or ids: read the JSON lines bert-tokenize writes
                         (input_word_ids, input_mask, input_type_ids, tokens), e.g.
                         bert-tokenize ... | bert-embed --model DIR --input ids
      --sequence-output  add "sequence_output": one vector per input position
  -h, --help             show this help
`;

const POOLINGS: readonly Pooling[] = ['pooled', 'mean', 'cls'];
const BACKENDS: readonly BackendRequest[] = ['wasm', 'cpu'];
/** Texts per model call while reading stdin; the encoder splits further by its token budget. */
const STDIN_BATCH = 64;
/** Stop reading stdin while this many lines wait, so a huge input does not fill memory. */
const MAX_QUEUED_LINES = 4 * STDIN_BATCH;

class UsageError extends Error {}

interface CliOptions {
  model: string;
  backend: BackendRequest;
  pooling: Pooling;
  normalize: boolean;
  input: 'text' | 'ids';
  sequenceOutput: boolean;
  texts: string[];
}

function parseCli(argv: string[]): CliOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' },
      backend: { type: 'string', short: 'b', default: 'wasm' },
      pooling: { type: 'string', short: 'p', default: 'pooled' },
      normalize: { type: 'boolean', short: 'n', default: false },
      input: { type: 'string', default: 'text' },
      'sequence-output': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values.model === undefined) throw new UsageError('--model DIR is required (a model directory written by bert-convert)');
  const oneOf = <T extends string>(name: string, value: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${value}"`);
    return value as T;
  };
  const input = oneOf('input', values.input, ['text', 'ids'] as const);
  if (input === 'ids' && positionals.length > 0) throw new UsageError('--input ids reads JSON lines from stdin; do not pass TEXT arguments');
  return {
    model: values.model,
    backend: oneOf('backend', values.backend, BACKENDS),
    pooling: oneOf('pooling', values.pooling, POOLINGS),
    normalize: values.normalize,
    input,
    sequenceOutput: values['sequence-output'],
    texts: positionals,
  };
}

function integerArray(value: unknown, field: string, where: string): number[] {
  if (!Array.isArray(value) || !value.every((item) => Number.isInteger(item))) {
    throw new Error(`${where}: "${field}" must be an array of integers`);
  }
  return value as number[];
}

/** One line of bert-tokenize output as an Encoding (plus its text, when the line carries one). */
function parseIdsLine(line: string, where: string): { text?: string; encoding: Encoding } {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message}); --input ids expects the lines bert-tokenize writes`);
  }
  if (typeof record !== 'object' || record === null) throw new Error(`${where}: expected a JSON object`);
  const inputWordIds = integerArray(record.input_word_ids, 'input_word_ids', where);
  const inputMask = record.input_mask === undefined ? inputWordIds.map(() => 1) : integerArray(record.input_mask, 'input_mask', where);
  const inputTypeIds = record.input_type_ids === undefined ? inputWordIds.map(() => 0) : integerArray(record.input_type_ids, 'input_type_ids', where);
  const tokens = Array.isArray(record.tokens) ? record.tokens.map(String) : [];
  return {
    text: typeof record.text === 'string' ? record.text : undefined,
    encoding: {
      tokens,
      inputWordIds,
      inputMask,
      inputTypeIds,
      spans: inputWordIds.map(() => null),
      segments: inputWordIds.map(() => null),
      truncated: record.truncated === true,
    },
  };
}

/** Writes a line to stdout, waiting when the pipe is full. */
async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await new Promise<void>((resolve) => process.stdout.once('drain', resolve));
}

async function embedBatch(encoder: BertEncoder, options: CliOptions, lines: string[], firstLineNumber: number): Promise<void> {
  const parsed =
    options.input === 'ids'
      ? lines.map((line, i) => parseIdsLine(line, `stdin line ${firstLineNumber + i}`))
      : encoder.tokenize(lines).map((encoding, i) => ({ text: lines[i], encoding }));
  const encodings = parsed.map((item) => item.encoding);
  const embedOptions = { pooling: options.pooling, normalize: options.normalize };
  const { vectors, sequences } = await (
    options.sequenceOutput
      ? encoder.embedEncodingsWithSequences(encodings, embedOptions)
      : encoder.embedEncodings(encodings, embedOptions).then((vectors) => ({ vectors, sequences: undefined }))
  ).catch((error: unknown) => {
    // Name the input line, not the position inside this batch.
    if (error instanceof InvalidEncodingError) throw new Error(`stdin line ${firstLineNumber + error.index} ${error.problem}`);
    throw error;
  });
  for (let i = 0; i < parsed.length; i++) {
    const record: Record<string, unknown> = {};
    if (parsed[i].text !== undefined) record.text = parsed[i].text;
    record.tokens = encodings[i].tokens;
    if (encodings[i].truncated) record.truncated = true;
    record.embedding = Array.from(vectors[i]);
    if (sequences) record.sequence_output = sequences[i].map((vector) => Array.from(vector));
    await writeLine(JSON.stringify(record));
  }
}

/** Reads stdin line by line and embeds whatever has arrived whenever the encoder is free. */
async function embedStdin(encoder: BertEncoder, options: CliOptions): Promise<void> {
  const reader = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const queue: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  let linesRead = 0;
  reader.on('line', (line) => {
    queue.push(line);
    linesRead++;
    if (queue.length >= MAX_QUEUED_LINES) reader.pause();
    wake?.();
  });
  reader.on('close', () => {
    ended = true;
    wake?.();
  });
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'bert-embed {bar} {value}/{total} lines', hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(0, 0);
  let linesDone = 0;
  try {
    for (;;) {
      if (queue.length === 0) {
        if (ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const lines = queue.splice(0, STDIN_BATCH);
      if (!ended && queue.length < MAX_QUEUED_LINES) reader.resume();
      await embedBatch(encoder, options, lines, linesDone + 1);
      linesDone += lines.length;
      bar?.setTotal(linesRead);
      bar?.update(linesDone);
    }
  } finally {
    bar?.stop();
    reader.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`bert-embed: ${(error as Error).message}\nRun bert-embed --help for usage.\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    // Loaded only now, so usage errors and --help answer without starting tfjs.
    const { loadEncoder } = await import('../encoder/node');
    const encoder = await loadEncoder(options.model, { backend: options.backend });
    try {
      if (options.texts.length > 0) await embedBatch(encoder, options, options.texts, 1);
      else await embedStdin(encoder, options);
    } finally {
      encoder.dispose();
    }
    return 0;
  } catch (error) {
    process.stderr.write(`bert-embed: ${(error as Error).message}\n`);
    return 1;
  }
}

// A closed stdout (e.g. `| head`) ends the program quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exitCode = await main(process.argv.slice(2));
