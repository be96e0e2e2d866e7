// The tokenizer files' names, as `npm run tokenizers` writes them and every model folder carries them.

export const TOKENIZER_FILES = {
  mask: 'mask-codebook.bin',
  image: 'image-codebook.bin',
  imageEncoder: 'image-encoder.onnx',
  text: 'text-vocab.json',
};

/** The files a model folder copies (its image encoder is rebuilt from the image codebook when loaded). */
export const MODEL_TOKENIZER_FILES = [TOKENIZER_FILES.mask, TOKENIZER_FILES.image, TOKENIZER_FILES.text] as const;
