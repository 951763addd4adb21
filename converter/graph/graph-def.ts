// A TensorFlow GraphDef in the protobuf-JSON form that tfjs's GraphModel loader reads, plus the
// weights its Const nodes take their values from (tfjs matches them by node name).

export type AttrValue =
  | { type: TfDtype }
  | { shape: { dim: Array<{ size: string }> } }
  | { b: boolean }
  | { i: string }
  | { f: number }
  | { list: { s?: string[]; i?: string[] } }
  | { tensor: { dtype: TfDtype; tensorShape: { dim?: Array<{ size: string }> } } };

export type TfDtype = 'DT_FLOAT' | 'DT_INT32';

export interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

export type WeightDtype = 'float32' | 'int32';

/** The value of one Const node. */
export interface GraphWeight {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  data: Float32Array | Int32Array;
  /** Large float matrices (kernels, embeddings) may be quantized; vectors, scalars and shapes never are. */
  quantizable: boolean;
}

export interface GraphTensorSpec {
  /** Node name; the tensor is its first output (`name:0`). */
  name: string;
  dtype: TfDtype;
  /** -1 for dimensions fixed only at run time. */
  shape: number[];
}

export interface BuiltGraph {
  nodes: NodeDef[];
  weights: GraphWeight[];
  inputs: GraphTensorSpec[];
  outputs: GraphTensorSpec[];
}

const shapeAttr = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });

/** A tensor value that a node reads: the name of the node that produced it. */
export type Tensor = string;

/**
 * Emits nodes with unique names and keeps the weights in the order they were created. Small
 * constants (scalars, axes, shapes) are created once and shared by every node that uses them.
 */
export class GraphBuilder {
  readonly nodes: NodeDef[] = [];
  readonly weights: GraphWeight[] = [];
  private readonly names = new Set<string>();
  private readonly sharedConstants = new Map<string, Tensor>();
  /** Const nodes by the array they hold: a weight used on two paths is stored once. */
  private readonly weightNodes = new Map<Float32Array | Int32Array, Tensor>();
  private scopes: string[] = [];

  /** Runs `body` with node names prefixed by `name/` (e.g. `layer_3/attention/...`). */
  scope<T>(name: string, body: () => T): T {
    this.scopes.push(name);
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  private uniqueName(base: string, scoped = true): string {
    const full = scoped && this.scopes.length ? `${this.scopes.join('/')}/${base}` : base;
    let name = full;
    for (let n = 1; this.names.has(name); n++) name = `${full}_${n}`;
    this.names.add(name);
    return name;
  }

  /** Adds a node named exactly `name` (no scope, no suffix): graph inputs and outputs. */
  private exactNode(node: NodeDef): Tensor {
    if (this.names.has(node.name)) throw new Error(`graph already has a node named ${node.name}`);
    this.names.add(node.name);
    this.nodes.push(node);
    return node.name;
  }

  op(op: string, inputs: Tensor[], attr: Record<string, AttrValue> = {}, name: string = op): Tensor {
    const node: NodeDef = { name: this.uniqueName(name), op, input: inputs, attr };
    this.nodes.push(node);
    return node.name;
  }

  placeholder(name: string, dtype: TfDtype, shape: number[]): Tensor {
    return this.exactNode({ name, op: 'Placeholder', attr: { dtype: { type: dtype }, shape: { shape: shapeAttr(shape) } } });
  }

  /** An Identity node named exactly `name`, so the output keeps its name in any loader. */
  output(name: string, value: Tensor): Tensor {
    return this.exactNode({ name, op: 'Identity', input: [value], attr: { T: { type: 'DT_FLOAT' } } });
  }

  /** A Const node holding a weight; `quantizable` marks large float matrices. The same array twice is one node. */
  weight(name: string, shape: number[], data: Float32Array | Int32Array, quantizable = false): Tensor {
    const existing = this.weightNodes.get(data);
    if (existing !== undefined) return existing;
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`weight ${name}: shape [${shape}] needs ${size} values but has ${data.length}`);
    const dtype: WeightDtype = data instanceof Float32Array ? 'float32' : 'int32';
    const tfDtype: TfDtype = dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
    const nodeName = this.uniqueName(name);
    this.nodes.push({
      name: nodeName,
      op: 'Const',
      attr: { dtype: { type: tfDtype }, value: { tensor: { dtype: tfDtype, tensorShape: shapeAttr(shape) } } },
    });
    this.weights.push({ name: nodeName, shape, dtype, data, quantizable });
    this.weightNodes.set(data, nodeName);
    return nodeName;
  }

  /** A float32 scalar constant, shared across the graph. */
  scalar(value: number): Tensor {
    return this.shared(`float:${value}`, () => this.weight(`const/float_${value}`, [], Float32Array.of(value)));
  }

  /** An int32 scalar (shape []) constant, shared across the graph. */
  intScalar(value: number): Tensor {
    return this.shared(`int:${value}`, () => this.weight(`const/int_${value}`, [], Int32Array.of(value)));
  }

  /** An int32 vector constant (axes, permutations, slice bounds), shared across the graph. */
  ints(values: number[]): Tensor {
    return this.shared(`ints:${values}`, () => this.weight(`const/ints_${values.join('_').replaceAll('-', 'm')}`, [values.length], Int32Array.from(values)));
  }

  private shared(key: string, create: () => Tensor): Tensor {
    let name = this.sharedConstants.get(key);
    if (name === undefined) {
      // Shared constants live at the top level whatever scope first asked for them.
      const saved = this.scopes;
      this.scopes = [];
      try {
        name = create();
      } finally {
        this.scopes = saved;
      }
      this.sharedConstants.set(key, name);
    }
    return name;
  }
}

/** base64 of a UTF-8 string, as GraphDef JSON encodes string attributes. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
