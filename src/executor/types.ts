/** Typed requests and verdicts: the executor API the self-play engine calls. */

/** Validate a proposed program on one or more literal inputs; the verdict carries the outputs. */
export interface ValidateRequest {
  kind: 'validate';
  code: string;
  inputs: string[];
}
/** CRUXEval-style check: validate, then compare f(input) with the expected output. */
export interface VerifyRequest {
  kind: 'verify';
  code: string;
  input: string;
  output: string;
}
/** Deduction: is the solver's answer literal equal to the output? */
export interface DeductionRequest {
  kind: 'deduction';
  answer: string;
  output: string;
}
/** Abduction: does f(answer) give the output? */
export interface AbductionRequest {
  kind: 'abduction';
  code: string;
  answer: string;
  output: string;
}
/** Induction: a candidate program, validated like a proposal, must reproduce every hidden pair. */
export interface InductionRequest {
  kind: 'induction';
  code: string;
  pairs: [input: string, output: string][];
  /** Go on past a wrong or raising pair and count the pairs reproduced (Verdict.passed), for partial credit. */
  everyPair?: boolean;
}

export type ExecRequest = ValidateRequest | VerifyRequest | DeductionRequest | AbductionRequest | InductionRequest;

export const REJECT_REASONS = [
  'syntax',
  'no-function',
  'forbidden-import',
  'forbidden-name',
  'non-literal-input',
  'runtime-error',
  'timeout',
  'nondeterministic',
  'non-literal-output',
  'output-too-large',
  'mismatch',
  'malformed',
  'crash',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Verdict {
  ok: boolean;
  reason: 'ok' | RejectReason;
  /** A short human-readable explanation, empty when ok. */
  detail: string;
  /**
   * repr of f(input) for each input that ran, when the request runs the program; a mismatched
   * abduction answer carries the output its input does give.
   */
  outputs?: string[];
  /** An induction request with `everyPair`: how many of its pairs the program reproduced. */
  passed?: number;
  /** Wall time in the worker for this request, in milliseconds. */
  ms: number;
}

export interface ExecutorLimits {
  /** Time limit per request (both determinism runs together), in ms. */
  timeoutMs: number;
  /** After the interrupt, how long to wait before terminating the worker, in ms. */
  graceMs: number;
  /** Largest repr of an output (characters). */
  outputChars: number;
  /** Deepest Python recursion a program may use. */
  recursion: number;
  /** A worker whose WebAssembly memory grows past this is replaced after its request (bytes). */
  maxHeapBytes: number;
}

export const DEFAULT_LIMITS: ExecutorLimits = {
  timeoutMs: 1000,
  graceMs: 250,
  outputChars: 10_000,
  recursion: 400,
  maxHeapBytes: 1 << 30,
};

/** Loading progress of a Python worker, for progress bars. */
export interface LoadProgress {
  stage: 'download' | 'start' | 'sandbox' | 'ready';
  /** 0..1 within the whole load. */
  fraction: number;
  message: string;
}
