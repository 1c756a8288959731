/** An attribute to extract: its column name, and optionally what it means and the form its values should take. */
export interface AttributeSpec {
  name: string;
  /** e.g. "the date the agreement takes effect" */
  description?: string;
  /** e.g. "YYYY-MM-DD"; functions are asked to normalize values to it. */
  form?: string;
}

/** Where a candidate came from: a model's reply, or the model-free built-in synthesizer. */
export type FunctionOrigin = 'model' | 'builtin';

/** A candidate extractor function: JavaScript source defining `function extract(doc, $)`. */
export interface CandidateFunction {
  /** Unique within a run, e.g. "title-7". */
  id: string;
  attribute: string;
  source: string;
  origin: FunctionOrigin;
  /** The prompt template (model) or strategy (builtin) that produced it. */
  strategy: string;
  /** Ids of the sample documents shown to the model when it wrote this function. */
  sampleDocs?: string[];
}
