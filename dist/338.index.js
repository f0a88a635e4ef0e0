export const id = 338;
export const ids = [338];
export const modules = {

/***/ 48338:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   downloadBackup: () => (/* binding */ downloadBackup),
/* harmony export */   publishBackup: () => (/* binding */ publishBackup)
/* harmony export */ });
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(67458);
/* harmony import */ var _artifact_source_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(34406);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(74296);
/* harmony import */ var _core_glob_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(16085);
// Published backups as workflow artifacts (@actions/artifact): `publish: NAME` uploads a backup directory,
// `artifact: NAME` downloads one — from this run, or from another run (or repository) with a token.
// Unlike the cache functions, these throw (typed errors); the run decides what is fatal: after an initialize,
// service trouble is a warning (src/action/run.ts), a wrong name or a foreign artifact is an error.
// The artifact is named like the backup and holds the backup directory's files at its root.







const SERVICE_HINT = 'Artifacts work inside a GitHub Actions job on github.com. If the service had a hiccup, re-run the job.';
/** Uploads every file of the backup directory `dir` as the artifact `name`. */
async function publishBackup(dir, name, retentionDays) {
    const relative = await (0,_core_glob_js__WEBPACK_IMPORTED_MODULE_6__/* .expandGlobs */ .GE)(dir, ['**']);
    if (relative.length === 0)
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .NotFoundError */ .m_(`The backup directory ${dir} holds no files to publish.`, 'Dump the backup first.');
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    try {
        const { id, size } = await client.uploadArtifact(name, relative.map((f) => (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(dir, f)), dir, retentionDays === undefined ? {} : { retentionDays });
        if (id === undefined)
            throw new Error('the service returned no artifact ID');
        return { id, size: size ?? 0 };
    }
    catch (e) {
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .OlympiaError */ .MJ(`Publishing the backup "${name}" as a workflow artifact failed: ${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(e)}`, { hint: SERVICE_HINT, cause: e });
    }
}
async function exists(path) {
    return (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.access)(path).then(() => true, () => false);
}
/**
 * Downloads the published backup `name` into `<backupDir>/<name>/` and returns that path. The download goes
 * to a temporary sibling first; an existing backup of that name is replaced only once the download is
 * complete and holds a manifest.
 */
async function downloadBackup(name, backupDir, options = {}, log = () => undefined) {
    const source = (0,_artifact_source_js__WEBPACK_IMPORTED_MODULE_1__/* .sourceOf */ .v)(name, options);
    const target = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(backupDir, name);
    const staging = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(backupDir, `.download-${name}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_2__.randomBytes)(4).toString('hex')}`);
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    const find = source.findBy ? { findBy: source.findBy } : {};
    try {
        let artifact;
        try {
            ({ artifact } = await client.getArtifact(name, find));
        }
        catch (e) {
            if (e instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL || e?.name === 'ArtifactNotFoundError') {
                throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .NotFoundError */ .m_(`No published backup "${name}" was found in ${source.describe}.`, source.crossRun
                    ? 'Check the run ID and that the artifact has not expired (see retention-days).'
                    : 'Publish it earlier in this run, or name the run that published it: RUN_ID/NAME.');
            }
            throw e;
        }
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.mkdir)(staging, { recursive: true });
        const { digestMismatch } = await client.downloadArtifact(artifact.id, { ...find, path: staging, ...(artifact.digest ? { expectedHash: artifact.digest } : {}) });
        if (digestMismatch)
            throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .IntegrityError */ .cs(`The downloaded backup "${name}" does not match the digest recorded when it was published.`, 'Run the job again; if it persists, publish the backup again.');
        if (!(await exists((0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(staging, 'manifest.json')))) {
            throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .IntegrityError */ .cs(`The artifact "${name}" from ${source.describe} holds no manifest.json, so it is not an olympia-data backup.`, 'Publish backups with the publish input of this action.');
        }
        if (await exists(target)) {
            log(`Replacing the local backup ${target} with the published one.`);
            const old = `${staging}.old`;
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.rename)(target, old);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.rename)(staging, target);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.rm)(old, { recursive: true, force: true });
        }
        else {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.rename)(staging, target);
        }
        return target;
    }
    catch (e) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_3__.rm)(staging, { recursive: true, force: true });
        if (e instanceof _core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .OlympiaError */ .MJ)
            throw e;
        throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .OlympiaError */ .MJ(`Downloading the backup "${name}" from ${source.describe} failed: ${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(e)}`, { hint: SERVICE_HINT, cause: e });
    }
}


/***/ })

};
