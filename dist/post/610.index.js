export const id = 610;
export const ids = [610];
export const modules = {

/***/ 33610:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  actionsCacheService: () => (/* binding */ actionsCacheService)
});

// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/cache.js
var cache = __webpack_require__(5116);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/internal/cacheHttpClient.js
var cacheHttpClient = __webpack_require__(73171);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/internal/cacheUtils.js
var cacheUtils = __webpack_require__(98299);
// EXTERNAL MODULE: ./node_modules/@actions/cache/lib/internal/shared/cacheTwirpClient.js
var cacheTwirpClient = __webpack_require__(96819);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:stream/promises"
var promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./node_modules/tar-stream/index.js
var tar_stream = __webpack_require__(56118);
;// CONCATENATED MODULE: ./src/tools/move-file.ts
/** Moves a file where a rename cannot: RUNNER_TEMP and the tool cache may be on different file systems. */

function moveFile(from, to) {
    try {
        (0,external_node_fs_.renameSync)(from, to);
    }
    catch {
        (0,external_node_fs_.copyFileSync)(from, to);
        (0,external_node_fs_.rmSync)(from, { force: true });
    }
}

;// CONCATENATED MODULE: ./src/tools/cache/checked-extract.ts
/**
 * Unpacks a restored cache archive only where this run expects it. @actions/cache's own restore
 * runs `tar -xf -P` in the workspace, which writes every member wherever its name points, so a
 * cache entry written by anyone else with the job's cache token (a workflow on the default
 * branch) could replace the checked-out module, the action's own code or anything in HOME. Here
 * every member is checked first: regular files and folders only, each one of the entry's paths
 * or inside one of its folders, no links, devices or special bits. One member out of place and
 * nothing at all is written. What is written is then verified by its pin when it is used.
 */







class UnexpectedMember extends Error {
}
/** Where a member may go: one of the entry's files, or inside (or being) one of its folders. */
function allowed(entry, target, isFolder) {
    if (!entry.folders) {
        if (isFolder)
            return entry.paths.some((p) => p.startsWith(`${target}${(external_node_path_default()).sep}`));
        return entry.paths.includes(target);
    }
    return entry.paths.some((p) => target === p ||
        target.startsWith(`${p}${(external_node_path_default()).sep}`) ||
        (isFolder && p.startsWith(`${target}${(external_node_path_default()).sep}`)));
}
function decompressor(compression) {
    // @actions/cache compresses with zstd without --long, so the default window suffices.
    return compression === 'gzip' ? (0,external_node_zlib_.createGunzip)() : (0,external_node_zlib_.createZstdDecompress)();
}
/**
 * Unpacks `archive` (member names relative to `workspace`, as @actions/cache writes them) into
 * the entry's paths, staging every file in `scratch` until the whole archive has been read.
 * Returns the number of files written; throws UnexpectedMember, naming it, when one is refused.
 */
async function extractChecked(archive, compression, entry, workspace, scratch) {
    const staged = [];
    const folders = [];
    const stage = external_node_path_default().join(scratch, `staged-${(0,external_node_crypto_.randomUUID)()}`);
    (0,external_node_fs_.mkdirSync)(stage, { recursive: true });
    try {
        const reader = (0,tar_stream.extract)();
        reader.on('entry', (header, stream, next) => {
            const target = external_node_path_default().resolve(workspace, header.name);
            const isFolder = header.type === 'directory';
            const kind = header.type === 'file' || header.type === 'contiguous-file' ? 'file' : header.type;
            if ((kind !== 'file' && !isFolder) || !allowed(entry, target, isFolder)) {
                stream.resume();
                reader.destroy(new UnexpectedMember(`it holds ${header.type} ${header.name}, which is not where the action keeps ${entry.name}`));
                return;
            }
            if (isFolder) {
                folders.push(target);
                stream.on('end', next).resume();
                return;
            }
            const from = external_node_path_default().join(stage, String(staged.length));
            // Owner read/write, and execute where the file had it (provider binaries); nothing else.
            staged.push({ from, to: target, mode: (header.mode ?? 0o644) & 0o100 ? 0o755 : 0o644 });
            stream.pipe((0,external_node_fs_.createWriteStream)(from)).on('finish', next).on('error', next);
        });
        await (0,promises_.pipeline)((0,external_node_fs_.createReadStream)(archive), decompressor(compression), reader);
        for (const folder of folders)
            (0,external_node_fs_.mkdirSync)(folder, { recursive: true });
        for (const file of staged) {
            (0,external_node_fs_.mkdirSync)(external_node_path_default().dirname(file.to), { recursive: true });
            moveFile(file.from, file.to);
            (0,external_node_fs_.chmodSync)(file.to, file.mode);
        }
        return staged.length;
    }
    finally {
        (0,external_node_fs_.rmSync)(stage, { recursive: true, force: true });
    }
}

// EXTERNAL MODULE: ./src/tools/cache/service.ts
var service = __webpack_require__(60065);
;// CONCATENATED MODULE: ./src/tools/cache/actions-cache.ts
/**
 * The Actions cache service through @actions/cache (cache service v2: twirp calls to
 * ACTIONS_RESULTS_URL with ACTIONS_RUNTIME_TOKEN, archives in signed blob storage URLs).
 *
 * Saving uses the library's saveCache (tar of exactly the listed paths). Restoring uses its parts
 * (the twirp client, the download) but not its restoreCache, whose extraction writes wherever the
 * archive's member names point; checked-extract.ts unpacks only the entry's own paths. The
 * library reads its configuration from process.env, as the runner provides it to the action.
 * Nothing here throws: an unreachable service, a refused save or a race are results, which the
 * callers report as warnings. Loaded only when a run uses the cache (service.ts), so the library
 * and the Azure SDK it brings cost nothing at start-up.
 */








const reason = (error) => (error instanceof Error ? error.message : String(error));
/** How @actions/cache compresses on this runner (zstd when installed, else gzip). */
async function compressionOf() {
    const method = await (0,cacheUtils.getCompressionMethod)();
    return { method, kind: method === 'gzip' ? 'gzip' : 'zstd' };
}
function actionsCacheService(env = process.env) {
    return {
        unavailable: () => (0,service/* cacheServiceUnavailable */.C)(env),
        restore: async (entry) => {
            let scratch;
            try {
                const compression = await compressionOf();
                const version = (0,cacheUtils.getCacheVersion)([...entry.paths], compression.method, false);
                const answer = await (0,cacheTwirpClient.internalCacheTwirpClient)({ maxAttempts: 2 })
                    .GetCacheEntryDownloadURL({ key: entry.key, restoreKeys: [], version })
                    .catch((error) => {
                    throw new Unreachable(reason(error));
                });
                if (!answer.ok)
                    return { kind: 'miss' };
                // The service matches keys by prefix; anything but this exact key is someone else's.
                if (answer.matchedKey !== entry.key)
                    return { kind: 'miss' };
                scratch = await (0,cacheUtils.createTempDirectory)();
                const archive = external_node_path_default().join(scratch, (0,cacheUtils.getCacheFileName)(compression.method));
                await (0,cacheHttpClient.downloadCache)(answer.signedDownloadUrl, archive, { timeoutInMs: 120_000 }).catch((error) => {
                    throw new Unreachable(`the download failed: ${reason(error)}`);
                });
                const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
                const files = await extractChecked(archive, compression.kind, entry, workspace, scratch);
                return { kind: 'restored', files };
            }
            catch (error) {
                if (error instanceof Unreachable)
                    return { kind: 'unavailable', why: error.message };
                if (error instanceof UnexpectedMember)
                    return { kind: 'refused', why: error.message };
                return { kind: 'refused', why: `it could not be read (${reason(error)})` };
            }
            finally {
                if (scratch)
                    (0,external_node_fs_.rmSync)(scratch, { recursive: true, force: true });
            }
        },
        save: async (entry) => {
            const missing = entry.paths.find((p) => !(0,external_node_fs_.existsSync)(p));
            if (missing)
                return { kind: 'not saved', why: `${missing} does not exist` };
            try {
                // saveCache reports its own failures (a key taken, the service down) and returns -1.
                const id = await cache.saveCache([...entry.paths], entry.key);
                return id === -1
                    ? {
                        kind: 'not saved',
                        why: 'the cache service did not take it (another job may have saved this key first, or the service is unavailable; see the messages above)'
                    }
                    : { kind: 'saved' };
            }
            catch (error) {
                return { kind: 'not saved', why: reason(error) };
            }
        }
    };
}
class Unreachable extends Error {
}


/***/ })

};
