// Bad input, refused before anything runs: its own module, so that argument
// checking (args.ts) and scenario files (scenario.ts) both raise it.
/** Bad input: the message names the flag and what is allowed; exit code 2. */
export class UsageError extends Error {
    name = 'UsageError';
}
//# sourceMappingURL=usage_error.js.map