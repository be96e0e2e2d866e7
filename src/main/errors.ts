// Errors any main-process service may throw, kept apart from the IPC layer that reports them, so that a
// service (the store, the segmenter) does not import the transport to explain a failure.

/** A failure the user should read as-is (bad file, missing model); dispatch passes its message on. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}
