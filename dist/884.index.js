export const id = 884;
export const ids = [884];
export const modules = {

/***/ 68884:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   cacheTimeoutMs: () => (/* binding */ cacheTimeoutMs),
/* harmony export */   lookupTimeoutMs: () => (/* binding */ lookupTimeoutMs),
/* harmony export */   restoreInit: () => (/* binding */ restoreInit),
/* harmony export */   saveInit: () => (/* binding */ saveInit)
/* harmony export */ });
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(18091);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(33838);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(74296);
// Restore and save the `_init` backup through the GitHub Actions cache (@actions/cache). Caching is an
// optimisation: nothing here throws because of the cache service. A failing or hanging service costs one
// bounded wait and one warning that names its cause; the caller then seeds and calls the cache no more.
//
// Paths: pass the same path strings to restore and save — the service files an entry under a version that
// hashes them (with the compression method), so a different spelling of the same directory is a miss.



const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_LOOKUP_MS = 30_000;
function envSeconds(name) {
    const seconds = Number(process.env[name]);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
/** The bound for a transfer: the option, else OLYMPIA_CACHE_TIMEOUT_SECONDS, else 10 minutes. */
function cacheTimeoutMs(options = {}) {
    return options.timeoutMs ?? envSeconds('OLYMPIA_CACHE_TIMEOUT_SECONDS') ?? DEFAULT_TIMEOUT_MS;
}
/**
 * The bound for finding or reserving an entry, before any transfer: what a broken service costs a job.
 * The option, else OLYMPIA_CACHE_LOOKUP_TIMEOUT_SECONDS, else 30 s (never more than the transfer bound).
 */
function lookupTimeoutMs(options = {}) {
    return Math.min(options.lookupTimeoutMs ?? envSeconds('OLYMPIA_CACHE_LOOKUP_TIMEOUT_SECONDS') ?? DEFAULT_LOOKUP_MS, cacheTimeoutMs(options));
}
/**
 * Races `work` against a timer. The library cannot be cancelled, so on timeout its promise keeps running
 * unobserved; the action's entry point exits the process when it is done (as actions/cache does), so a
 * late request cannot hold the job open.
 */
async function bounded(work, ms) {
    let timer;
    const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve({ done: false }), ms);
    });
    work.catch(() => undefined); // a rejection after the timeout must not become an unhandled rejection
    try {
        return await Promise.race([work.then((value) => ({ done: true, value })), timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
function seconds(ms) {
    return `${Math.round(ms / 100) / 10} s`;
}
/** `::warning::` / `::error::` lines and the library's "Failed to …" info lines: the reasons it gives. */
const LIBRARY_TROUBLE = /^(?:::(?:warning|error)(?: [^:]*)?::(.*)|(Failed to (?:save|restore): .*|Cache reservation failed: .*))$/;
function unescapeCommand(text) {
    return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
/**
 * Runs a library call while holding back what it logs as trouble (its warnings, errors and "Failed to …"
 * lines: they go to the debug log), so the caller reports the cause once, in its own warning.
 */
async function withLibraryTrouble(work, ms) {
    const trouble = [];
    const write = process.stdout.write.bind(process.stdout);
    const held = (chunk, ...rest) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
        const out = text
            .split(/(?<=\n)/)
            .map((line) => {
            const m = LIBRARY_TROUBLE.exec(line.replace(/\r?\n$/, ''));
            if (!m)
                return line;
            trouble.push(unescapeCommand(m[1] ?? m[2]));
            return `::debug::${line.replace(/^::(?:warning|error)(?: [^:]*)?::/, '')}`;
        })
            .join('');
        return write(out, ...rest);
    };
    process.stdout.write = held;
    try {
        return { result: await bounded(work(), ms), trouble };
    }
    finally {
        if (process.stdout.write === held)
            process.stdout.write = write;
    }
}
function serviceAvailable(action) {
    if (_actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .isFeatureAvailable */ .w3())
        return true;
    _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`The GitHub Actions cache service is not available to this job, so the ${action} of the initial data is skipped.`);
    return false;
}
const NO_MORE = 'the job seeds instead and makes no further cache calls';
/**
 * Finds the entry for `key` (or else the newest one matching a `restoreKeys` prefix: a partial hit) with one
 * bounded lookup, then downloads exactly that entry. A service that fails or hangs costs the lookup's bound.
 */
async function restoreInit(paths, key, restoreKeys = [], options = {}) {
    if (!serviceAvailable('restore'))
        return { hit: 'unavailable', cause: 'no cache service is available to this job' };
    const failed = (cause) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`Restoring "_init" from the cache failed: ${cause}; ${NO_MORE}.`);
        return { hit: 'failed', cause };
    };
    const lookupMs = lookupTimeoutMs(options);
    let matched;
    try {
        const lookup = await withLibraryTrouble(() => _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3(paths, key, restoreKeys, { lookupOnly: true }), lookupMs);
        if (!lookup.result.done)
            return failed(`the cache service did not answer within ${seconds(lookupMs)}`);
        // The library reports a failing service as no entry, after logging why.
        if (lookup.result.value === undefined && lookup.trouble.length > 0)
            return failed(lookup.trouble.join(' '));
        matched = lookup.result.value;
    }
    catch (e) {
        return failed((0,_core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(e));
    }
    if (matched === undefined)
        return { hit: 'miss' };
    const hit = matched === key ? 'exact' : 'partial';
    if (options.lookupOnly)
        return { hit, matchedKey: matched };
    const ms = cacheTimeoutMs(options);
    try {
        // segmentTimeoutInMs lets the library abort a stalled blob download itself, within the same bound.
        const download = await withLibraryTrouble(() => _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3(paths, matched, [], { segmentTimeoutInMs: ms }), ms);
        if (!download.result.done)
            return failed(`downloading ${matched} did not finish within ${seconds(ms)}`);
        if (download.result.value === undefined)
            return failed(download.trouble.join(' ') || `the entry ${matched} was found but could not be downloaded`);
    }
    catch (e) {
        return failed((0,_core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(e));
    }
    return { hit, matchedKey: matched };
}
function isAlreadyExists(text) {
    return /already exists/i.test(text);
}
/** Saves `paths` under `key`. An existing entry is not an error: keys are immutable, the entry is kept. */
async function saveInit(paths, key, options = {}) {
    if (!serviceAvailable('save'))
        return { saved: false, reason: 'unavailable' };
    const notSaved = (reason, cause) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`"_init" was not saved to the cache as ${key}: ${cause}. The job goes on; the next run seeds again.`);
        return { saved: false, reason, cause };
    };
    const ms = cacheTimeoutMs(options);
    try {
        if (!options.knownAbsent) {
            // Look first: an existing key then costs one request instead of an archive and an upload.
            const lookupMs = lookupTimeoutMs(options);
            const lookup = await withLibraryTrouble(() => _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3(paths, key, [], { lookupOnly: true }), lookupMs);
            if (!lookup.result.done)
                return notSaved('timeout', `the cache service did not answer within ${seconds(lookupMs)}`);
            if (lookup.result.value === key) {
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`The cache already holds ${key}; cache entries are immutable, so it is kept as it is.`);
                return { saved: false, reason: 'exists' };
            }
            if (lookup.trouble.length > 0)
                return notSaved('error', lookup.trouble.join(' '));
        }
        const save = await withLibraryTrouble(() => _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .saveCache */ .Io(paths, key), ms);
        if (!save.result.done)
            return notSaved('timeout', `saving did not finish within ${seconds(ms)}`);
        const cause = save.trouble.join(' ');
        if (save.result.value === -1 || cause) {
            if (isAlreadyExists(cause)) {
                _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`The cache already holds ${key} (${cause}); it is kept as it is.`);
                return { saved: false, reason: 'exists' };
            }
            // With cache service v1 an upload that fails after the reservation still returns the reserved id.
            return notSaved('declined', cause || 'the cache library declined without giving a reason');
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`Saved the initial data to the cache as ${key}.`);
        return { saved: true, cacheId: save.result.value };
    }
    catch (e) {
        const message = (0,_core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(e);
        if (e instanceof _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .ReserveCacheError */ .Zh && isAlreadyExists(message)) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`The cache already holds ${key} (${message}); it is kept as it is.`);
            return { saved: false, reason: 'exists' };
        }
        return notSaved('error', message);
    }
}


/***/ })

};
