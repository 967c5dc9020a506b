/** CLI exit codes: 0 ok, 1 invalid input (or a failed check), 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** Thrown by command actions to end with a code after printing; main() turns it into process.exitCode. */
export class CliExit extends Error {
  constructor(readonly exitCode: number, message = '') {
    super(message);
    this.name = 'CliExit';
  }
}
