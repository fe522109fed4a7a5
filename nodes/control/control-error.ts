// The refusal of a control command before anything was sent (nodes/control).

/** A command refused before it started: 400 bad arguments, 404 unknown UE, 409 wrong state. */
export class ControlError extends Error {
  readonly status: 400 | 404 | 409;
  constructor(status: 400 | 404 | 409, message: string) {
    super(message);
    this.name = 'ControlError';
    this.status = status;
  }
}
