/**
 * Typed errors with a stable `code`. Callers branch on `code`, never on message text.
 * `isInputError` marks errors caused by the user's input (the CLI maps them to exit code 2).
 */
export type ErrorCode =
  | 'CSV_BAD_NUMBER'
  | 'CSV_MISSING_COLUMN'
  | 'CSV_TIME_BACKWARDS'
  | 'CSV_BAD_TIME'
  | 'CSV_BAD_OHLC'
  | 'CSV_EMPTY'
  | 'CSV_BAD_ROW'
  | 'FILE_NOT_FOUND'
  /** A file that exists but cannot be used: a directory, no permission, a full disk. */
  | 'FILE_ERROR'
  | 'BAD_TIMEFRAME'
  | 'BAD_SYMBOL'
  | 'BAD_DURATION'
  | 'BAD_PARAM'
  | 'UNKNOWN_INDICATOR'
  | 'BAD_CONFIG'
  | 'BAD_ARGUMENT'
  | 'PROTOCOL'
  | 'CORRUPT_DATA'
  | 'HTTP'
  | 'THROTTLED'
  | 'TIMEOUT'
  | 'CLOSED'
  /** Something the command needs is not there: a port in use, a service down. */
  | 'UNAVAILABLE'
  | 'INTERNAL';

const INPUT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CSV_BAD_NUMBER',
  'CSV_MISSING_COLUMN',
  'CSV_TIME_BACKWARDS',
  'CSV_BAD_TIME',
  'CSV_BAD_OHLC',
  'CSV_EMPTY',
  'CSV_BAD_ROW',
  'FILE_NOT_FOUND',
  'FILE_ERROR',
  'BAD_TIMEFRAME',
  'BAD_SYMBOL',
  'BAD_DURATION',
  'BAD_PARAM',
  'UNKNOWN_INDICATOR',
  'BAD_CONFIG',
  'BAD_ARGUMENT',
]);

export class EmpError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
  get isInputError(): boolean {
    return INPUT_CODES.has(this.code);
  }
}

/** A problem in a CSV file, always naming the file and the 1-based line. */
export class CsvError extends EmpError {
  readonly file: string;
  readonly line: number;
  constructor(code: ErrorCode, file: string, line: number, detail: string) {
    super(code, `${file}:${line}: ${detail}`);
    this.file = file;
    this.line = line;
  }
}

/** An invalid parameter value (indicator, option, config key). */
export class ParamError extends EmpError {
  constructor(message: string) {
    super('BAD_PARAM', message);
  }
}

export class ConfigError extends EmpError {
  constructor(message: string) {
    super('BAD_CONFIG', message);
  }
}

export function isInputError(err: unknown): err is EmpError {
  return err instanceof EmpError && err.isInputError;
}

/** What a Node file-system error code means, in words a user can act on. */
const FS_CAUSES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EEXIST: 'already exists',
  EBUSY: 'resource busy',
  EIO: 'input/output error',
};

/** The cause of a file-system error in words (`permission denied`), else its message. */
export function fsCause(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  return (code && FS_CAUSES[code]) ?? (err instanceof Error ? err.message : String(err));
}

/**
 * A file-system failure as an input error naming the path and the cause
 * (`data.csv: permission denied`) instead of a bare `EACCES: ...` or a stack trace.
 */
export function fileError(path: string, err: unknown, action: 'read' | 'write' = 'read'): EmpError {
  const code = (err as { code?: string } | null)?.code;
  const cause = fsCause(err);
  return new EmpError(code === 'ENOENT' && action === 'read' ? 'FILE_NOT_FOUND' : 'FILE_ERROR', `${path}: cannot ${action}: ${cause}`, {
    cause: err,
  });
}
