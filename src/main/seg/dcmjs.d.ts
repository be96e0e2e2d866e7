// The part of dcmjs (which ships no types) that the SEG reader and writer use.
declare module 'dcmjs' {
  /** A dataset with attributes by keyword (dcmjs's "naturalized" form). */
  export type NaturalDataset = Record<string, unknown> & { _vrMap?: Record<string, string> };

  interface DicomDictInstance {
    meta: Record<string, unknown>;
    dict: Record<string, unknown>;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  const dcmjs: {
    log: { getLogger(name: string): { setLevel(level: 'silent' | 'error' | 'warn' | 'info'): void } };
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean }): DicomDictInstance };
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance;
      DicomMetaDictionary: {
        naturalizeDataset(dict: Record<string, unknown>): NaturalDataset;
        denaturalizeDataset(dataset: NaturalDataset): Record<string, unknown>;
      };
    };
  };
  export default dcmjs;
}
