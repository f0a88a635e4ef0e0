export const id = 884;
export const ids = [884];
export const modules = {

/***/ 68884:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   cacheTimeoutMs: () => (/* binding */ cacheTimeoutMs),
/* harmony export */   restoreInit: () => (/* binding */ restoreInit),
/* harmony export */   saveInit: () => (/* binding */ saveInit)
/* harmony export */ });
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(18091);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(33838);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(74296);
// Restore and save the `_init` backup through the GitHub Actions cache (@actions/cache). Caching is an
// optimisation: nothing here throws because of the cache service. An unavailable, failing or hanging service
// is logged (info or warning) and reported as a miss / not saved, and the caller seeds instead.
//
// Paths: pass the same path strings to restore and save — the service files an entry under a version that
// hashes them (with the compression method), so a different spelling of the same directory is a miss.



const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** The bound for one cache call: the option, else OLYMPIA_CACHE_TIMEOUT_SECONDS, else 10 minutes. */
function cacheTimeoutMs(options = {}) {
    if (options.timeoutMs !== undefined)
        return options.timeoutMs;
    const seconds = Number(process.env.OLYMPIA_CACHE_TIMEOUT_SECONDS);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_MS;
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
function serviceAvailable(action) {
    if (_actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .isFeatureAvailable */ .w3())
        return true;
    _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`The GitHub Actions cache service is not available to this job, so the ${action} of the initial data is skipped.`);
    return false;
}
/**
 * Restores `paths` from the entry with `key`, or else from the newest entry matching one of the
 * `restoreKeys` prefixes (partial hit).
 */
async function restoreInit(paths, key, restoreKeys = [], options = {}) {
    if (!serviceAvailable('restore'))
        return { hit: 'miss' };
    const ms = cacheTimeoutMs(options);
    try {
        // segmentTimeoutInMs lets the library abort a stalled blob download itself, within the same bound.
        const result = await bounded(_actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3(paths, key, restoreKeys, { segmentTimeoutInMs: ms }), ms);
        if (!result.done) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`Restoring the cache did not finish within ${seconds(ms)}; continuing without it.`);
            return { hit: 'miss' };
        }
        const matchedKey = result.value;
        if (matchedKey === undefined)
            return { hit: 'miss' };
        return { hit: matchedKey === key ? 'exact' : 'partial', matchedKey };
    }
    catch (e) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`Restoring the cache failed: ${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(e)}. Continuing without it.`);
        return { hit: 'miss' };
    }
}
function isAlreadyExists(e) {
    return e instanceof _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .ReserveCacheError */ .Zh || /already exists|another job may be creating/i.test((0,_core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(e));
}
/** Saves `paths` under `key`. An existing entry is not an error: keys are immutable, the entry is kept. */
async function saveInit(paths, key, options = {}) {
    if (!serviceAvailable('save'))
        return { saved: false, reason: 'unavailable' };
    const ms = cacheTimeoutMs(options);
    const started = Date.now();
    try {
        // Look first: an existing key then costs one request instead of an archive and an upload.
        const lookup = await bounded(_actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3(paths, key, [], { lookupOnly: true }), ms);
        if (!lookup.done) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`The cache service did not answer within ${seconds(ms)}; the initial data is not saved.`);
            return { saved: false, reason: 'timeout' };
        }
        if (lookup.value === key) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`The cache already holds ${key}; cache entries are immutable, so it is kept as it is.`);
            return { saved: false, reason: 'exists' };
        }
        const remaining = Math.max(ms - (Date.now() - started), 1);
        const save = await bounded(_actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .saveCache */ .Io(paths, key), remaining);
        if (!save.done) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`Saving the cache did not finish within ${seconds(ms)}; the initial data is not saved.`);
            return { saved: false, reason: 'timeout' };
        }
        // -1: the library declined or failed and already said why (a concurrent save of the same key is an info
        // line). With cache service v1 an upload that fails after the reservation still returns the reserved id;
        // the library's own warning is then the only sign.
        if (save.value === -1)
            return { saved: false, reason: 'declined' };
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`Saved the initial data to the cache as ${key}.`);
        return { saved: true, cacheId: save.value };
    }
    catch (e) {
        if (isAlreadyExists(e)) {
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq(`The cache already holds ${key} (${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(e)}); it is kept as it is.`);
            return { saved: false, reason: 'exists' };
        }
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`Saving the cache failed: ${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorMessage */ .gJ)(e)}. The job continues; the next run seeds again.`);
        return { saved: false, reason: 'error' };
    }
}


/***/ })

};
