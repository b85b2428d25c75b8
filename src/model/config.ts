// The model's one configuration object, its presets, and the parameter list it implies.

export type Activation = 'gelu' | 'relu';

export interface ModelConfig {
  /** number of token ids; fixed by the tokenizer */
  vocabSize: number;
  /** longest sequence (prompt + generated) the model sees; also the number of learned positions */
  contextLength: number;
  /** width of the residual stream */
  dModel: number;
  nLayers: number;
  /** attention heads; dModel must be a multiple of it */
  nHeads: number;
  /** hidden width of each MLP (4 x dModel is the GPT-2 choice) */
  dMlp: number;
  /** share the token embedding with the output head (saves vocabSize x dModel parameters) */
  tiedEmbeddings: boolean;
  /**
   * Also embed each position's previous token (a second table, `wtp`), so that attention can
   * match "the token after this one" in its first layer: copying a string or an argument is then
   * one attention lookup, where without it the first layer must first learn a previous-token head.
   * Off in every preset: it lifted the supervised ceiling but not self-play
   * (docs/learning-journal.md, run 25).
   * Absent in configs saved before it existed: read as false.
   */
  previousToken?: boolean;
  /** MLP non-linearity: GELU (tanh-free sigmoid form, see transformer.ts) or ReLU (cheaper) */
  activation: Activation;
  /** epsilon inside RMSNorm's square root */
  normEps: number;
  /** standard deviation of the initial weights (GPT-2: 0.02) */
  initStd: number;
  /** seed of the deterministic initialiser */
  seed: number;
}

export type PresetName = 'tiny' | 'small' | 'base';

type Shape = Omit<ModelConfig, 'vocabSize'>;

const common = { tiedEmbeddings: true, previousToken: false, activation: 'gelu', normEps: 1e-5, initStd: 0.02, seed: 1 } as const;

/**
 * tiny: ~0.5M parameters, trains on a CPU/WASM backend and in tests.
 * small: ~5M parameters, the default where WebGPU is available.
 * base: ~25M parameters, for a real GPU.
 */
export const PRESETS: Readonly<Record<PresetName, Shape>> = {
  tiny: { ...common, contextLength: 256, dModel: 128, nLayers: 2, nHeads: 4, dMlp: 512 },
  small: { ...common, contextLength: 512, dModel: 256, nLayers: 6, nHeads: 8, dMlp: 1024 },
  base: { ...common, contextLength: 1024, dModel: 512, nLayers: 8, nHeads: 8, dMlp: 2048 },
};

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** The preset's config for a tokenizer's vocabulary, with optional overrides; validated. */
export function configFor(preset: PresetName, vocabSize: number, overrides: Partial<ModelConfig> = {}): ModelConfig {
  if (!isPresetName(preset)) throw new Error(`unknown model preset "${String(preset)}" (expected tiny, small or base)`);
  const config: ModelConfig = { ...PRESETS[preset], vocabSize, ...overrides };
  validateConfig(config);
  return config;
}

/** Throws an Error naming the first field that is out of range. */
export function validateConfig(config: ModelConfig): void {
  const positiveInt = (field: keyof ModelConfig, min = 1): void => {
    const value = config[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new Error(`model config: ${field} must be an integer >= ${min}, got ${String(value)}`);
    }
  };
  positiveInt('vocabSize', 2);
  positiveInt('contextLength', 2);
  positiveInt('dModel');
  positiveInt('nLayers');
  positiveInt('nHeads');
  positiveInt('dMlp');
  if (config.dModel % config.nHeads !== 0) {
    throw new Error(`model config: dModel (${config.dModel}) must be a multiple of nHeads (${config.nHeads})`);
  }
  if (typeof config.tiedEmbeddings !== 'boolean') {
    throw new Error(`model config: tiedEmbeddings must be true or false, got ${String(config.tiedEmbeddings)}`);
  }
  if (config.previousToken !== undefined && typeof config.previousToken !== 'boolean') {
    throw new Error(`model config: previousToken must be true or false, got ${String(config.previousToken)}`);
  }
  if (config.activation !== 'gelu' && config.activation !== 'relu') {
    throw new Error(`model config: activation must be "gelu" or "relu", got ${String(config.activation)}`);
  }
  if (!(typeof config.normEps === 'number' && config.normEps > 0 && config.normEps < 1)) {
    throw new Error(`model config: normEps must be a number in (0, 1), got ${String(config.normEps)}`);
  }
  if (!(typeof config.initStd === 'number' && config.initStd > 0 && config.initStd < 1)) {
    throw new Error(`model config: initStd must be a number in (0, 1), got ${String(config.initStd)}`);
  }
  if (typeof config.seed !== 'number' || !Number.isFinite(config.seed)) {
    throw new Error(`model config: seed must be a finite number, got ${String(config.seed)}`);
  }
}

/** How each parameter is initialised: ones (norm gains), or normal(0, std) with a given std. */
export type ParamInit = { kind: 'ones' } | { kind: 'normal'; std: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: ParamInit;
  /** AdamW decays matrices (and embeddings), never norm gains */
  decay: boolean;
}

/**
 * Every parameter, in a fixed order (the order of the checkpoint and of the optimiser state).
 * Residual-branch output projections get std / sqrt(2 nLayers), as in GPT-2, so the residual
 * stream's variance does not grow with depth at initialisation.
 */
export function paramSpecs(config: ModelConfig): ParamSpec[] {
  const { vocabSize: V, contextLength: C, dModel: d, dMlp: m, nLayers: L, initStd: std } = config;
  const normal = (s: number): ParamInit => ({ kind: 'normal', std: s });
  const residualStd = std / Math.sqrt(2 * L);
  const specs: ParamSpec[] = [
    { name: 'wte', shape: [V, d], init: normal(std), decay: true },
    { name: 'wpe', shape: [C, d], init: normal(std), decay: true },
  ];
  if (config.previousToken) specs.push({ name: 'wtp', shape: [V, d], init: normal(std), decay: true });
  for (let l = 0; l < L; l++) {
    specs.push(
      { name: `h${l}.norm1`, shape: [d], init: { kind: 'ones' }, decay: false },
      { name: `h${l}.wqkv`, shape: [d, 3 * d], init: normal(std), decay: true },
      { name: `h${l}.wo`, shape: [d, d], init: normal(residualStd), decay: true },
      { name: `h${l}.norm2`, shape: [d], init: { kind: 'ones' }, decay: false },
      { name: `h${l}.w1`, shape: [d, m], init: normal(std), decay: true },
      { name: `h${l}.w2`, shape: [m, d], init: normal(residualStd), decay: true },
    );
  }
  specs.push({ name: 'normf', shape: [d], init: { kind: 'ones' }, decay: false });
  if (!config.tiedEmbeddings) specs.push({ name: 'head', shape: [d, V], init: normal(std), decay: true });
  return specs;
}

export function parameterCount(config: ModelConfig): number {
  let n = 0;
  for (const spec of paramSpecs(config)) n += spec.shape.reduce((a, b) => a * b, 1);
  return n;
}

/**
 * Approximate training FLOPs per token (forward + backward) for a sequence of length T:
 * 6 x (parameters touched by matmuls) plus attention's two matmuls (QK^T and AV), 6 x 2 x T x d
 * per layer counting forward and backward, with T the attended length.
 */
export function trainFlopsPerToken(config: ModelConfig, attendedLength: number): number {
  const { vocabSize: V, dModel: d, dMlp: m, nLayers: L } = config;
  const matmulParams = L * (4 * d * d + 2 * d * m) + d * V; // blocks + output head
  return 6 * matmulParams + L * 12 * attendedLength * d;
}
