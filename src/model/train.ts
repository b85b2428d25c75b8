// Learning from sampled sequences: per-token log-probs, the PPO-clipped policy-gradient loss with
// one advantage per sequence (TRR++), an optional entropy bonus, and one AdamW step. Rows flagged
// `hindsight` are targets the executor vouches for (a correct answer it computed): they add a
// teacher-forced cross-entropy term, weighted by `hindsightWeight`, to the same update.
//
// A batch is padded to a bucket of rows and of length (buckets.ts) so that its shapes repeat.
// Sequence i is fed as tokens[i][0 .. n-2] and predicts tokens[i][1 .. n-1]; only the predictions
// of generated tokens (index >= promptLengths[i]) enter the loss, with weight 1 / (number of
// generated tokens in the batch): the loss is a mean over generated tokens.

import * as tf from '@tensorflow/tfjs';
import { batchBucket, lengthBucket, type ShapeGrain, shapeGrain } from './buckets';
import type { ModelConfig } from './config';
import { embedRows, MASKED, oneHotFloat } from './kernels';
import { maskAllows, type PackedMask } from './masks';
import { applyAdamW, globalNorm, type Optimizer } from './optimizer';
import { forwardHidden, type Model, outputLogits, trainableVariables } from './transformer';

export interface TrainBatch {
  /** full sequences: prompt followed by the generated tokens */
  tokens: number[][];
  /** index of the first generated token in each */
  promptLengths: number[];
  /** one advantage per sequence, given to each of its generated tokens */
  advantages: number[];
  /** per sequence, the log-prob of each generated token when it was sampled */
  oldLogProbs: number[][];
  /**
   * Optional, per sequence (null: unconstrained), per generated token: the allowed-token set it was
   * sampled under (SampleResult.masks), so training sees the same masked distribution.
   */
  masks?: ((PackedMask | null)[] | null)[];
  /**
   * Optional, per sequence: true for a hindsight row, a correct answer to learn by cross-entropy.
   * Its advantage and old log-probs are ignored (pass 0 and []).
   */
  hindsight?: boolean[];
}

export interface TrainOptions {
  /** PPO clip range: the ratio is clipped to [1 - clipEpsilon, 1 + clipEpsilon] (paper: 0.2) */
  clipEpsilon: number;
  /** weight of the entropy bonus (0: none) */
  entropyCoef: number;
  /** the sampling temperature, so the trained distribution is the sampled one (default 1) */
  temperature?: number;
  /**
   * Rows per forward/backward pass (default: all). Larger batches are split into micro-batches of
   * similar length whose gradients add up to the whole batch's, so memory stays bounded and short
   * rows are not padded to the longest.
   */
  microBatchRows?: number;
  /**
   * Most positions per micro-batch, counted as rows x the padded length of its longest row
   * (default: no limit). Long rows then go a few at a time: the memory of a pass stays bounded
   * whatever the lengths (attention grows with the square of the length), and on WebAssembly
   * smaller passes over long rows ran faster too.
   */
  microBatchTokens?: number;
  /** weight of the hindsight cross-entropy term beside the policy loss (default 1) */
  hindsightWeight?: number;
}

type LossOptions = Required<Omit<TrainOptions, 'microBatchRows' | 'microBatchTokens'>>;

export interface TrainStats {
  /** the clipped surrogate loss minus the entropy bonus, mean over generated tokens */
  loss: number;
  /** mean entropy (nats) of the (masked) distribution over generated tokens */
  entropy: number;
  /** global gradient norm before clipping */
  gradNorm: number;
  /** fraction of generated tokens whose ratio fell outside [1 - eps, 1 + eps] */
  clipFraction: number;
  /** mean of (old log-prob - new log-prob): an estimate of KL(old || new) */
  approxKl: number;
  /** generated tokens that entered the loss */
  tokens: number;
  /** true when the loss or gradient was not finite: no update was applied */
  skipped: boolean;
  /** mean cross-entropy (nats) over the hindsight rows' answer tokens; null when there were none */
  hindsightLoss: number | null;
  /** answer tokens of hindsight rows that entered the cross-entropy term */
  hindsightTokens: number;
}

/**
 * The batch as flat, bucketed arrays ready to upload. The model runs over all B x T positions,
 * but only the generated ones enter the loss, so the output head and everything after it run on
 * those alone: `positions` lists them (in row order, then position order), padded to a bucket of
 * M, and every per-position array below has M entries. Prompt positions are most of a solver
 * row, and the head and softmax over 701 tokens are about a fifth of the FLOPs of the tiny model.
 */
interface Prepared {
  B: number;
  T: number;
  inputs: Int32Array;
  /** indices into the B x T positions of the generated tokens (padding: 0, with zero weights) */
  positions: Int32Array;
  targets: Int32Array;
  /** 1 on generated positions of policy rows, 0 elsewhere */
  weights: Float32Array;
  /** 1 on answer positions of hindsight rows, 0 elsewhere */
  ceWeights: Float32Array;
  advantages: Float32Array;
  oldLogProbs: Float32Array;
  /** additive mask rows [U, V] (row 0: nothing masked) and each position's row, or null */
  maskTable: Float32Array | null;
  maskRows: number;
  maskIndex: Int32Array | null;
  /** policy tokens, and hindsight tokens */
  tokenCount: number;
  ceCount: number;
}

function prepare(model: Model, batch: TrainBatch, needOld: boolean): Prepared {
  const { vocabSize: V, contextLength: C } = model.config;
  const n = batch.tokens.length;
  if (n === 0) throw new Error('train: empty batch');
  const lengthsMatch = (what: string, arr: unknown[] | undefined) => {
    if (arr && arr.length !== n) throw new Error(`train: ${what} has ${arr.length} entries for ${n} sequences`);
  };
  lengthsMatch('promptLengths', batch.promptLengths);
  if (needOld) {
    lengthsMatch('advantages', batch.advantages);
    lengthsMatch('oldLogProbs', batch.oldLogProbs);
  }
  lengthsMatch('masks', batch.masks);
  lengthsMatch('hindsight', batch.hindsight);
  const isHindsight = (i: number) => batch.hindsight?.[i] === true;

  let longest = 1;
  batch.tokens.forEach((seq, i) => {
    const p = batch.promptLengths[i]!;
    if (!(Number.isInteger(p) && p >= 1 && p <= seq.length)) {
      throw new Error(`train: sequence ${i}: promptLength ${p} must be in [1, ${seq.length}]`);
    }
    if (seq.length - 1 > C) throw new Error(`train: sequence ${i} has ${seq.length} tokens; the context holds ${C} + 1`);
    for (const t of seq) if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`train: sequence ${i} has token ${t} outside the vocabulary (${V})`);
    if (needOld && !isHindsight(i)) {
      const old = batch.oldLogProbs[i]!;
      if (old.length !== seq.length - p) throw new Error(`train: sequence ${i} has ${seq.length - p} generated tokens but ${old.length} old log-probs`);
      if (!Number.isFinite(batch.advantages[i])) throw new Error(`train: sequence ${i} has a non-finite advantage`);
    }
    const masks = batch.masks?.[i];
    if (masks && masks.length !== seq.length - p) throw new Error(`train: sequence ${i} has ${seq.length - p} generated tokens but ${masks.length} masks`);
    longest = Math.max(longest, seq.length - 1);
  });

  const grain = shapeGrain();
  const B = batchBucket(n, grain);
  const T = lengthBucket(longest, C, grain);
  const generated = batch.tokens.reduce((sum, seq, i) => sum + seq.length - batch.promptLengths[i]!, 0);
  const M = batchBucket(Math.max(1, generated), grain);
  const inputs = new Int32Array(B * T);
  const positions = new Int32Array(M);
  const targets = new Int32Array(M);
  const weights = new Float32Array(M);
  const ceWeights = new Float32Array(M);
  const advantages = new Float32Array(M);
  const oldLogProbs = new Float32Array(M);
  const anyMask = batch.masks?.some((m) => m?.some((x) => x !== null)) ?? false;
  const maskIndex = anyMask ? new Int32Array(M) : null;
  let k = 0; // the next compacted slot
  const uniqueMasks: PackedMask[] = [];
  const maskIds = new Map<PackedMask, number>();
  const contentIds = new Map<string, number>();
  let tokenCount = 0;
  let ceCount = 0;

  batch.tokens.forEach((seq, i) => {
    const p = batch.promptLengths[i]!;
    const masks = batch.masks?.[i] ?? null;
    const hindsight = isHindsight(i);
    for (let j = 0; j + 1 < seq.length; j++) {
      inputs[i * T + j] = seq[j]!;
      const g = j + 1 - p; // index of the predicted token among the generated ones
      if (g < 0) continue;
      const at = k++;
      positions[at] = i * T + j;
      targets[at] = seq[j + 1]!;
      if (hindsight) {
        ceWeights[at] = 1;
        ceCount++;
      } else {
        weights[at] = 1;
        tokenCount++;
      }
      if (needOld && !hindsight) {
        advantages[at] = batch.advantages[i]!;
        oldLogProbs[at] = batch.oldLogProbs[i]![g]!;
      }
      const mask = masks?.[g] ?? null;
      if (mask && maskIndex) {
        if (mask.length !== (V + 31) >>> 5) throw new Error(`train: sequence ${i} token ${g}: mask has ${mask.length} words, expected ${(V + 31) >>> 5}`);
        if (!maskAllows(mask, seq[j + 1]!)) throw new Error(`train: sequence ${i} token ${g} (${seq[j + 1]}) is not allowed by its own mask`);
        let id = maskIds.get(mask);
        if (id === undefined) {
          const key = mask.join(',');
          id = contentIds.get(key);
          if (id === undefined) {
            uniqueMasks.push(mask);
            id = uniqueMasks.length; // row 0 is "nothing masked"
            contentIds.set(key, id);
          }
          maskIds.set(mask, id);
        }
        maskIndex[at] = id;
      }
    }
  });

  let maskTable: Float32Array | null = null;
  let maskRows = 0;
  if (maskIndex) {
    // Bucket the table's row count too, so its shape repeats across steps.
    maskRows = batchBucket(uniqueMasks.length + 1, grain);
    maskTable = new Float32Array(maskRows * V);
    uniqueMasks.forEach((mask, u) => {
      const row = (u + 1) * V;
      for (let t = 0; t < V; t++) if (!maskAllows(mask, t)) maskTable![row + t] = MASKED;
    });
  }
  return { B, T, inputs, positions, targets, weights, ceWeights, advantages, oldLogProbs, maskTable, maskRows, maskIndex, tokenCount, ceCount };
}

/**
 * Log-prob of the target token and entropy of the (masked, tempered) next-token distribution at
 * each generated position, both [M]. Differentiable; call inside a tidy or a gradient function.
 */
function tokenLogProbs(model: Model, p: Prepared, temperature: number): { logProb: tf.Tensor1D; entropy: tf.Tensor1D } {
  const V = model.config.vocabSize;
  const hidden = forwardHidden(model, tf.tensor2d(p.inputs, [p.B, p.T], 'int32'));
  // The generated positions' hidden states (a gather whose backward is one matmul).
  let logits = outputLogits(model, embedRows(hidden, tf.tensor1d(p.positions, 'int32')));
  if (temperature !== 1) logits = tf.mul(logits, 1 / temperature);
  if (p.maskTable && p.maskIndex) {
    const table = tf.tensor2d(p.maskTable, [p.maskRows, V]);
    logits = tf.add(logits, tf.gather(table, tf.tensor1d(p.maskIndex, 'int32')));
  }
  const logp = tf.logSoftmax(logits);
  const logProb = tf.sum(tf.mul(logp, oneHotFloat(tf.tensor1d(p.targets, 'int32'), V)), -1) as tf.Tensor1D;
  const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor1D;
  return { logProb, entropy };
}

/** Token counts of a whole batch, which every micro-batch's means are divided by. */
export interface BatchNormalisers {
  policy: number;
  hindsight: number;
}

/**
 * The loss and the reported statistics as scalars, built from a prepared batch:
 *   loss = -mean_policy(clipped surrogate) - c * mean_all(entropy) + w * mean_hindsight(-log p)
 */
function lossGraph(model: Model, p: Prepared, options: LossOptions, normalisers: BatchNormalisers = { policy: p.tokenCount, hindsight: p.ceCount }) {
  const { clipEpsilon: eps, entropyCoef, temperature, hindsightWeight } = options;
  const { logProb, entropy } = tokenLogProbs(model, p, temperature);
  const meanOver = (weightsData: Float32Array, count: number) => {
    const w = tf.tensor1d(weightsData);
    const inv = 1 / Math.max(1, count);
    return (x: tf.Tensor): tf.Scalar => tf.mul(tf.sum(tf.mul(x, w)), inv);
  };
  const meanOverPolicy = meanOver(p.weights, normalisers.policy);
  const meanOverHindsight = meanOver(p.ceWeights, normalisers.hindsight);
  const logRatio = tf.sub(logProb, tf.tensor1d(p.oldLogProbs));
  const ratio = tf.exp(logRatio);
  const advantages = tf.tensor1d(p.advantages);
  const surrogate = tf.minimum(tf.mul(ratio, advantages), tf.mul(tf.clipByValue(ratio, 1 - eps, 1 + eps), advantages));
  // Entropy of the model's distribution over every trained token (both kinds of row).
  const all = new Float32Array(p.weights.length);
  for (let i = 0; i < all.length; i++) all[i] = p.weights[i]! + (normalisers.hindsight > 0 ? p.ceWeights[i]! : 0);
  const meanEntropy = meanOver(all, normalisers.policy + normalisers.hindsight)(entropy);
  const crossEntropy = meanOverHindsight(tf.neg(logProb));
  let loss = tf.neg(meanOverPolicy(surrogate));
  if (entropyCoef > 0) loss = tf.sub(loss, tf.mul(meanEntropy, entropyCoef));
  if (normalisers.hindsight > 0 && hindsightWeight > 0) loss = tf.add(loss, tf.mul(crossEntropy, hindsightWeight));
  return {
    loss,
    entropy: meanEntropy,
    clipFraction: meanOverPolicy(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), eps), 'float32')),
    approxKl: meanOverPolicy(tf.neg(logRatio)),
    crossEntropy,
  };
}

/**
 * The PPO-clipped loss of a batch as a differentiable scalar (what trainStep minimises), for
 * inspection and gradient checks. Call inside tf.tidy or a gradient function.
 */
export function policyLoss(model: Model, batch: TrainBatch, options: TrainOptions): tf.Scalar {
  const p = prepare(model, batch, true);
  return lossGraph(model, p, { temperature: 1, hindsightWeight: 1, ...options }).loss;
}

/**
 * Log-probs of the generated tokens of each sequence (index >= promptLengths[i]) under the current
 * model, with optional masks and temperature as in training. One forward pass, one read.
 */
export async function sequenceLogProbs(model: Model, batch: Pick<TrainBatch, 'tokens' | 'promptLengths' | 'masks'>, temperature = 1): Promise<number[][]> {
  const p = prepare(model, { ...batch, advantages: [], oldLogProbs: [] }, false);
  const out = tf.tidy(() => tokenLogProbs(model, p, temperature).logProb);
  const data = await out.data();
  out.dispose();
  // Compacted in row order, then position order: each row's generated tokens are consecutive.
  let k = 0;
  return batch.tokens.map((seq, i) => Array.from({ length: seq.length - batch.promptLengths[i]! }, () => data[k++]!));
}

/** The loss settings with their defaults, checked. */
function lossOptions(options: TrainOptions): LossOptions {
  const { clipEpsilon: eps, entropyCoef } = options;
  const temperature = options.temperature ?? 1;
  const hindsightWeight = options.hindsightWeight ?? 1;
  if (!(hindsightWeight >= 0)) throw new Error(`trainStep: hindsightWeight must be >= 0, got ${hindsightWeight}`);
  if (!(eps > 0 && eps < 1)) throw new Error(`trainStep: clipEpsilon must be in (0, 1), got ${eps}`);
  if (!(entropyCoef >= 0)) throw new Error(`trainStep: entropyCoef must be >= 0, got ${entropyCoef}`);
  if (!(temperature > 0)) throw new Error(`trainStep: temperature must be > 0, got ${temperature}`);
  return { clipEpsilon: eps, entropyCoef, temperature, hindsightWeight };
}

/** Summed gradients (in parameter order) and summed reported stats of some micro-batches. */
interface GradientSums {
  grads: tf.Tensor[];
  /** loss, entropy, clip fraction, approx KL, cross-entropy: each already a share of the whole batch's mean */
  stats: tf.Tensor;
}

/**
 * Forward and backward passes over prepared micro-batches, each normalised by the whole batch's
 * token counts, added up in order. null when none of them has a token to learn from.
 */
function gradientSums(model: Model, names: readonly string[], chunks: readonly Prepared[], options: LossOptions, total: BatchNormalisers): GradientSums | null {
  const variables = trainableVariables(model);
  let sums: GradientSums | null = null;
  try {
    for (const p of chunks) {
      if (p.tokenCount + (total.hindsight > 0 ? p.ceCount : 0) === 0) continue;
      let extras: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const parts = lossGraph(model, p, options, total);
        // Reported, not differentiated: kept alive past the gradient's tidy.
        extras = tf.keep(tf.stack([parts.loss, parts.entropy, parts.clipFraction, parts.approxKl, parts.crossEntropy]));
        return parts.loss;
      }, variables);
      // A parameter the loss does not reach has no gradient entry: it counts as zeros.
      const ordered = names.map((name) => {
        const variable = model.params.get(name)!;
        return grads[variable.name] ?? tf.zerosLike(variable);
      });
      tf.dispose([value, ...Object.values(grads).filter((g) => !ordered.includes(g))]);
      sums = addSums(sums, { grads: ordered, stats: extras! });
    }
  } catch (error) {
    if (sums) tf.dispose([...sums.grads, sums.stats]);
    throw error;
  }
  return sums;
}

/** Gradients computed elsewhere, read back: one array per parameter (paramSpecs order), and the stat sums. */
export interface GradientArrays {
  grads: Float32Array[];
  stats: Float32Array;
}

/**
 * Computes the gradients of some of a batch's micro-batches on another thread, on weights equal
 * to this model's (the caller keeps them in step). With one, trainStep splits its micro-batches
 * between here and there: two cores, about half the time per update.
 */
export interface GradientHelper {
  gradients(chunks: TrainBatch[], options: TrainOptions, normalisers: BatchNormalisers): Promise<GradientArrays | null>;
}

/**
 * The helper's side: gradients of `chunks` (micro-batches of a larger batch, with that batch's
 * normalisers), read back as arrays in parameter order. null when they hold nothing to learn.
 */
export async function chunkGradients(model: Model, chunks: TrainBatch[], options: TrainOptions, normalisers: BatchNormalisers): Promise<GradientArrays | null> {
  const names = [...model.params.keys()];
  const sums = gradientSums(
    model,
    names,
    chunks.map((chunk) => prepare(model, chunk, true)),
    lossOptions(options),
    normalisers,
  );
  if (!sums) return null;
  try {
    const [grads, stats] = await Promise.all([
      Promise.all(sums.grads.map((g) => g.data() as Promise<Float32Array>)),
      sums.stats.data() as Promise<Float32Array>,
    ]);
    return { grads, stats };
  } finally {
    tf.dispose([...sums.grads, sums.stats]);
  }
}

/**
 * The micro-batch that takes the most memory under `options`' limits: as many rows as fit that
 * fill the context (attention grows with the square of the length, the rest with rows x length),
 * half policy rows and half hindsight rows, every generated token with a mask of its own. For
 * ModelService.reserveMemory, which throws its gradients
 * away; the tokens mean nothing. null when the options set no limit.
 */
export function largestMicroBatch(config: ModelConfig, options: TrainOptions): TrainBatch | null {
  const { contextLength: C, vocabSize: V } = config;
  const limit = Math.min(options.microBatchRows ?? Infinity, Math.floor((options.microBatchTokens ?? Infinity) / C));
  if (!Number.isFinite(limit)) return null;
  const rows = Math.max(1, limit);
  const words = (V + 31) >>> 5;
  const batch: Required<TrainBatch> = { tokens: [], promptLengths: [], advantages: [], oldLogProbs: [], masks: [], hindsight: [] };
  // Every token is 0, and mask n bars the tokens 1..V-1 picked by the bits of n + 1: all distinct, none barring its target.
  let made = 0;
  const nextMask = (): PackedMask => {
    const mask = new Uint32Array(words).fill(0xffffffff);
    for (let bits = ++made, token = 1; bits > 0 && token < V; bits >>>= 1, token++) if (bits & 1) mask[token >>> 5]! &= ~(1 << (token & 31));
    return mask;
  };
  for (let i = 0; i < rows; i++) {
    const policy = i % 2 === 0;
    batch.tokens.push(new Array<number>(C + 1).fill(0));
    batch.promptLengths.push(1);
    batch.advantages.push(policy ? 1 : 0);
    batch.oldLogProbs.push(policy ? new Array<number>(C).fill(-1) : []);
    batch.masks.push(Array.from({ length: C }, nextMask));
    batch.hindsight.push(!policy);
  }
  return batch;
}

/** a + b, both disposed (either may be null). */
function addSums(a: GradientSums | null, b: GradientSums | null): GradientSums | null {
  if (!a || !b) return a ?? b;
  const sum = { grads: a.grads.map((g, i) => tf.add(g, b.grads[i]!)), stats: tf.add(a.stats, b.stats) };
  tf.dispose([...a.grads, a.stats, ...b.grads, b.stats]);
  return sum;
}

/** A helper's read-back gradients as tensors again. */
function uploaded(model: Model, names: readonly string[], arrays: GradientArrays): GradientSums {
  return { grads: names.map((name, i) => tf.tensor(arrays.grads[i]!, model.params.get(name)!.shape)), stats: tf.tensor1d(arrays.stats) };
}

/** Cost of a micro-batch in padded positions (rows x length bucket): what a forward pass pays for. */
function chunkCost(chunk: TrainBatch, contextLength: number, grain: ShapeGrain): number {
  const longest = Math.max(1, ...chunk.tokens.map((t) => t.length - 1));
  return batchBucket(chunk.tokens.length, grain) * lengthBucket(longest, contextLength, grain);
}

/**
 * Splits micro-batches between this thread and a helper by cost, largest first onto the side
 * with less so far (this thread first on a tie): the indices of each side's, in order. The
 * helper also pays for its messages and for reading its gradients back, so this thread takes
 * the larger share of a tie. (Weighting this thread's share up by 1.25 instead, for its upload
 * and AdamW, which run after both sides anyway, made replay updates 3% slower side by side: 260
 * against 251 ms on 58 recorded replay batches.)
 * Deterministic: the same batch always splits the same way.
 */
function splitForHelper(chunks: TrainBatch[], contextLength: number): { local: number[]; remote: number[] } {
  const grain = shapeGrain();
  const order = chunks.map((chunk, i) => ({ i, cost: chunkCost(chunk, contextLength, grain) })).sort((a, b) => b.cost - a.cost || a.i - b.i);
  const remote = { cost: 0, indices: [] as number[] };
  const local = { cost: 0, indices: [] as number[] };
  for (const { i, cost } of order) {
    const side = local.cost <= remote.cost ? local : remote;
    side.cost += cost;
    side.indices.push(i);
  }
  return { local: local.indices.sort((a, b) => a - b), remote: remote.indices.sort((a, b) => a - b) };
}

/** What trainStep reports when nothing in the batch could be learnt from: no update. */
function nothingToLearn(): TrainStats {
  return { loss: 0, entropy: 0, gradNorm: 0, clipFraction: 0, approxKl: 0, tokens: 0, skipped: true, hindsightLoss: null, hindsightTokens: 0 };
}

/**
 * One PPO-clipped policy-gradient update:
 *   ratio = exp(logp_new - logp_old) per generated token
 *   loss  = mean over generated tokens of -min(ratio A, clip(ratio, 1-eps, 1+eps) A) - c H
 * then global-norm clipping and AdamW. Reads the stats from the device once; skips the update
 * (and says so) if the loss or gradient norm is not finite. With a `helper` and two or more
 * micro-batches, the helper computes the gradients of part of them meanwhile; the two sums are
 * added in a fixed order, so a seeded run stays reproducible with the same helper count.
 */
export async function trainStep(model: Model, optimizer: Optimizer, batch: TrainBatch, options: TrainOptions, helper?: GradientHelper): Promise<TrainStats> {
  const opts = lossOptions(options);
  const batches = microBatches(batch, options.microBatchRows ?? Infinity, options.microBatchTokens ?? Infinity, model.config.contextLength);
  const chunks = batches.map((chunk) => prepare(model, chunk, true));
  const total: BatchNormalisers = {
    policy: chunks.reduce((sum, p) => sum + p.tokenCount, 0),
    hindsight: opts.hindsightWeight > 0 ? chunks.reduce((sum, p) => sum + p.ceCount, 0) : 0,
  };
  if (total.policy + total.hindsight === 0) return nothingToLearn();

  const split = helper && batches.length >= 2 ? splitForHelper(batches, model.config.contextLength) : null;
  const remote = split
    ? helper!.gradients(
        split.remote.map((i) => batches[i]!),
        options,
        total,
      )
    : Promise.resolve(null);
  remote.catch(() => {}); // awaited below, after the local passes
  let sums = gradientSums(model, optimizer.names, split ? split.local.map((i) => chunks[i]!) : chunks, opts, total);
  try {
    // Added in a fixed order (here, then the helper's). A helper that fails (its thread died)
    // costs time, not the update: its share is computed here instead.
    const far = await remote.then(
      (arrays) => arrays && uploaded(model, optimizer.names, arrays),
      () =>
        gradientSums(
          model,
          optimizer.names,
          split!.remote.map((i) => chunks[i]!),
          opts,
          total,
        ),
    );
    sums = addSums(sums, far);
    if (!sums) return nothingToLearn();
    const gradSums = sums.grads;
    const packed = tf.tidy(() => tf.concat([sums!.stats, tf.reshape(globalNorm(gradSums), [1])]));
    const stats = (await packed.data()) as Float32Array;
    packed.dispose();
    const [loss, entropy, clipFraction, approxKl, crossEntropy, gradNorm] = Array.from(stats) as number[] as [number, number, number, number, number, number];
    const skipped = !Number.isFinite(loss) || !Number.isFinite(gradNorm);
    if (!skipped) applyAdamW(model, optimizer, gradSums, gradNorm);
    return {
      loss,
      entropy,
      gradNorm,
      clipFraction,
      approxKl,
      tokens: total.policy + total.hindsight,
      skipped,
      hindsightLoss: total.hindsight > 0 ? crossEntropy : null,
      hindsightTokens: total.hindsight,
    };
  } finally {
    if (sums) tf.dispose([...sums.grads, sums.stats]);
  }
}

/**
 * Splits a batch into groups of sequences of similar length (stable order by length): at most
 * `rows` of them, and at most `tokens` positions (rows x the length bucket of the longest), though
 * a row longer than that goes alone.
 */
export function microBatches(batch: TrainBatch, rows: number, tokens: number, contextLength: number, grain: ShapeGrain = shapeGrain()): TrainBatch[] {
  const n = batch.tokens.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => batch.tokens[a]!.length - batch.tokens[b]!.length || a - b);
  const groups: number[][] = [];
  let group: number[] = [];
  for (const i of order) {
    // Sorted by length: the row joining is the group's longest.
    const positions = (group.length + 1) * lengthBucket(batch.tokens[i]!.length - 1, contextLength, grain);
    if (group.length > 0 && (group.length + 1 > rows || positions > tokens)) {
      groups.push(group);
      group = [];
    }
    group.push(i);
  }
  if (group.length > 0) groups.push(group);
  if (groups.length === 1) return [batch];
  const out: TrainBatch[] = [];
  for (const idx of groups) {
    out.push({
      tokens: idx.map((i) => batch.tokens[i]!),
      promptLengths: idx.map((i) => batch.promptLengths[i]!),
      advantages: idx.map((i) => batch.advantages[i]!),
      oldLogProbs: idx.map((i) => batch.oldLogProbs[i]!),
      masks: batch.masks ? idx.map((i) => batch.masks![i]!) : undefined,
      hindsight: batch.hindsight ? idx.map((i) => batch.hindsight![i]!) : undefined,
    });
  }
  return out;
}
