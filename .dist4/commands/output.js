// Report files are written whole or not at all: to a temporary name in the
// same folder, then renamed into place.
import { accessSync, constants, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
/** Checks before a long run that `dir` can take the report; the reason it cannot, or null. */
export function cannotWrite(dir) {
    try {
        mkdirSync(dir, { recursive: true });
        accessSync(dir, constants.W_OK);
        return null;
    }
    catch (e) {
        return e.code ?? e.message;
    }
}
export function writeAtomic(dir, name, text) {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    return path;
}
//# sourceMappingURL=output.js.map