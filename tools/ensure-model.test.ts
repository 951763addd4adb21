import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHfModelDir } from './reference/fixtures';
import { ensureModel, probeNetwork, tfhubHandle } from './ensure-model';
import { MODEL_FORMAT_VERSION } from '../converter/model-format';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ensure-model-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const offline = async () => 'ENOTFOUND';
const mustNotProbe = async (): Promise<string | null> => {
  throw new Error('probed the network although a real model is present');
};

describe('tfhubHandle', () => {
  it('completes bare TF Hub names with the publisher and latest version, and keeps handles and URLs', () => {
    expect(tfhubHandle('bert_en_uncased_L-12_H-768_A-12')).toBe('tensorflow/bert_en_uncased_L-12_H-768_A-12/4');
    expect(tfhubHandle('small_bert/bert_en_uncased_L-4_H-512_A-8')).toBe('tensorflow/small_bert/bert_en_uncased_L-4_H-512_A-8/2');
    expect(tfhubHandle('tensorflow/bert_en_cased_L-12_H-768_A-12/3')).toBe('tensorflow/bert_en_cased_L-12_H-768_A-12/3');
    expect(tfhubHandle('https://example.org/bert.tar.gz')).toBe('https://example.org/bert.tar.gz');
  });
});

describe('ensureModel', () => {
  it('offline: says so, generates the demo model once (demo: true), then reuses it', async () => {
    const out = path.join(root, 'offline');
    const lines: string[] = [];
    expect(await ensureModel({ out, probe: offline, log: (l) => lines.push(l) })).toBe('generated-demo');
    expect(lines.join('\n')).toMatch(/No network access to https:\/\/tfhub\.dev \(ENOTFOUND\)/);
    const metadata = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')).userDefinedMetadata.bert;
    expect(metadata.demo).toBe(true);
    expect(metadata.tokenizer.vocabSize).toBe(30522); // the real vocabulary
    const written = (await stat(path.join(out, 'model.json'))).mtimeMs;
    expect(await ensureModel({ out, probe: offline, log: () => {} })).toBe('kept-demo');
    expect((await stat(path.join(out, 'model.json'))).mtimeMs).toBe(written);
  });

  it('with network access, converts the requested checkpoint and replaces the demo model', async () => {
    // A local server stands in for TF Hub: it serves a Hugging Face checkpoint (the reference fixture) as .tar.gz.
    const out = path.join(root, 'upgrade');
    await ensureModel({ out, probe: offline, log: () => {} });
    const checkpoint = await makeHfModelDir('erf', ['config.json', 'model.safetensors']);
    const archive = path.join(root, 'checkpoint.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: checkpoint }, ['.']);
    const server = createHttpServer(async (request, response) => {
      if (request.url !== '/bert.tar.gz') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/gzip' }).end(request.method === 'HEAD' ? undefined : await readFile(archive));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const outcome = await ensureModel({ out, model: `http://127.0.0.1:${port}/bert.tar.gz`, cacheDir: path.join(root, 'cache'), log: () => {} });
      expect(outcome).toBe('converted');
    } finally {
      server.close();
      await rm(checkpoint, { recursive: true, force: true });
    }
    const metadata = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')).userDefinedMetadata.bert;
    expect(metadata.demo).toBeUndefined();
    expect(metadata.source.format).toBe('huggingface');
    expect(await ensureModel({ out, probe: mustNotProbe, log: () => {} })).toBe('kept-real');
  });

  it('replaces a model written by an older bert-convert, which the page could not load', async () => {
    const out = path.join(root, 'outdated');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'model.json'), JSON.stringify({ userDefinedMetadata: { bert: { formatVersion: MODEL_FORMAT_VERSION - 1, demo: true } } }));
    const lines: string[] = [];
    expect(await ensureModel({ out, demoOnly: true, probe: mustNotProbe, log: (l) => lines.push(l) })).toBe('generated-demo');
    expect(lines.join('\n')).toMatch(/older bert-convert/);
    expect(JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8')).userDefinedMetadata.bert.formatVersion).toBe(MODEL_FORMAT_VERSION);
  });

  it('keeps a real model without touching the network', async () => {
    const out = path.join(root, 'real');
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'model.json'), JSON.stringify({ userDefinedMetadata: { bert: { formatVersion: MODEL_FORMAT_VERSION } } }));
    expect(await ensureModel({ out, probe: mustNotProbe, log: () => {} })).toBe('kept-real');
  });

  it('never replaces a real model with --demo, nor when another model cannot be had offline', async () => {
    const out = path.join(root, 'real-kept');
    await mkdir(out, { recursive: true });
    const modelJson = JSON.stringify({ userDefinedMetadata: { bert: { formatVersion: MODEL_FORMAT_VERSION, source: { description: 'tensorflow/bert_en_uncased_L-12_H-768_A-12/4' } } } });
    await writeFile(path.join(out, 'model.json'), modelJson);
    expect(await ensureModel({ out, demoOnly: true, probe: mustNotProbe, log: () => {} })).toBe('kept-real');
    const lines: string[] = [];
    const offline = async () => 'ENOTFOUND';
    expect(await ensureModel({ out, model: 'small_bert/bert_en_uncased_L-4_H-512_A-8', probe: offline, log: (l) => lines.push(l) })).toBe('kept-real');
    expect(lines.join('\n')).toMatch(/No network access .*keeping the model already there/);
    expect(await readFile(path.join(out, 'model.json'), 'utf8')).toBe(modelJson);
  });
});

describe('probeNetwork', () => {
  it('reports an unreachable host within seconds instead of hanging', async () => {
    // A port that accepts connections but never answers HTTP would hang a naive fetch.
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const started = Date.now();
    const reason = await probeNetwork(`http://127.0.0.1:${port}/`);
    server.close();
    expect(reason).toMatch(/timeout|aborted/i);
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
