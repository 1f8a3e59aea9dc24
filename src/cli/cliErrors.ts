import { AttestaError } from "../errors.js";

/** Errors of the command line itself. Stable: scripts match on them. */
export const CliErrorCode = {
  BAD_ARGUMENT: "BAD_ARGUMENT",
  BAD_CONFIG: "BAD_CONFIG",
  BAD_KEY_FILE: "BAD_KEY_FILE",
  NOT_INITIALISED: "NOT_INITIALISED",
  FILE_NOT_FOUND: "FILE_NOT_FOUND",
  FILE_EXISTS: "FILE_EXISTS",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  ADDRESS_IN_USE: "ADDRESS_IN_USE",
  IO_ERROR: "IO_ERROR",
  INTERNAL: "INTERNAL",
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

export function cliError(code: CliErrorCode, message: string, details?: Record<string, unknown>): AttestaError {
  return new AttestaError(code, message, details);
}

const ERRNO_CODES: Readonly<Record<string, CliErrorCode>> = {
  ENOENT: CliErrorCode.FILE_NOT_FOUND,
  EEXIST: CliErrorCode.FILE_EXISTS,
  EACCES: CliErrorCode.PERMISSION_DENIED,
  EPERM: CliErrorCode.PERMISSION_DENIED,
  EADDRINUSE: CliErrorCode.ADDRESS_IN_USE,
};

/** Any thrown value as an AttestaError with a stable code (system errors by their errno code). */
export function asCodedError(err: unknown): AttestaError {
  if (err instanceof AttestaError) return err;
  const errno = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === "string" && /^E[A-Z]+$/.test(errno)) {
    const e = err as NodeJS.ErrnoException;
    return cliError(ERRNO_CODES[errno] ?? CliErrorCode.IO_ERROR, e.message, {
      errno,
      ...(e.path !== undefined ? { path: e.path } : {}),
    });
  }
  return cliError(CliErrorCode.INTERNAL, err instanceof Error ? err.message : String(err));
}
