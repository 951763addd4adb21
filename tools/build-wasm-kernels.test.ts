import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { assembleKernels, GENERATED_FILE, WAT_FILE } from './build-wasm-kernels';

describe('build-wasm-kernels', () => {
  it('the committed module bytes are what kernels.wat assembles to', async () => {
    const generated = await assembleKernels(await readFile(WAT_FILE, 'utf8'));
    expect(await readFile(GENERATED_FILE, 'utf8')).toBe(generated);
  });

  it('names the line of a syntax error', async () => {
    await expect(assembleKernels('(module\n  (func (export "f") (result i32) (i32.nonsense)))')).rejects.toThrow(/kernels\.wat:2/);
  });
});
