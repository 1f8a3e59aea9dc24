// The one base error of Attesta. Invalid input from the outside world (a transaction, block,
// vote, request) is an AttestaError with a stable upper-case `code`; the code reaches the API,
// the logs and metric labels unchanged. A caller's bug throws TypeError or RangeError instead.
// This module imports nothing, so every layer may use it.

export class AttestaError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AttestaError";
    this.code = code;
    this.details = details;
  }
}

export function isAttestaError(err: unknown): err is AttestaError {
  return err instanceof AttestaError;
}
