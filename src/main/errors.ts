// Errors any main-process service may throw, kept apart from the IPC layer that reports them, so that a
// service (the store, the segmenter, the PACS client) does not import the transport to explain a failure.

/** A failure the user should read as-is (bad file, missing model); dispatch passes its message on. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** What a cancelled run rejects with (the IPC dispatcher reports it as 'cancelled', not as a failure). */
export function abortError(message = 'segmentation cancelled'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

/** Whether `err` is a cancellation (abortError, an aborted fetch or signal), not a failure to report. */
export const isAbortError = (err: unknown): boolean => err instanceof Error && err.name === 'AbortError';
