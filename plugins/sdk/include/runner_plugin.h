/*
 * runner_plugin.h — the plugin ABI of `runner`, version 1, for plugins written
 * in C (or any language that can export C symbols).
 *
 * This header mirrors plugins/sdk/src/abi.rs; the Rust file is the reference.
 *
 * A plugin is a shared library exporting two symbols:
 *
 *   const uint32_t runner_abi_version;          -- must equal RUNNER_ABI_VERSION
 *   const RunnerPlugin *runner_plugin(void);     -- the root table
 *
 * The host reads `runner_abi_version` before it calls anything, and refuses a
 * library whose version differs (naming both versions). Tables start with
 * `abi_version` and `struct_size`; within one ABI version they only ever grow
 * at the end, so check `struct_size` before using a field added later.
 *
 * Rules every plugin lives by:
 *  - Text is UTF-8, passed as RunnerStr (pointer + length, no NUL terminator),
 *    valid only during the call that receives it.
 *  - Output (results, messages, the manifest) is written into a host-owned
 *    RunnerSink with host->sink_write; nothing is ever freed across the boundary.
 *  - Every function returns RUNNER_OK, RUNNER_ERROR (message in the sink) or
 *    RUNNER_PANIC; none may unwind (no C++ exception, no Rust panic) into the host.
 *  - run_unit is called concurrently from several threads on one instance, and,
 *    under the `processes` strategy, in forked copies of the process: an
 *    instance must be safe for both. Do not start threads while being loaded:
 *    the host refuses to fork a process that has more than one thread.
 *  - Call host->checkpoint every few microseconds of CPU work: under the
 *    simulated interpreter lock that is where threads take turns.
 *  - The library is never unloaded.
 *
 * Build:   cc -shared -fPIC -o librunner_plugin_NAME.so NAME.c
 * Find:    put it in a directory given by --plugin-dir or RUNNER_PLUGIN_PATH, or
 *          name it by path in the scenario: plugin = "./librunner_plugin_NAME.so"
 */
#ifndef RUNNER_PLUGIN_H
#define RUNNER_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RUNNER_ABI_VERSION 1u

/* Status codes. */
#define RUNNER_OK 0          /* success; for verify: the results are right   */
#define RUNNER_ERROR 1       /* failure; the sink holds the message          */
#define RUNNER_PANIC 2       /* the plugin caught a crash of its own code    */
#define RUNNER_UNSUPPORTED 3 /* a host IO function this host does not offer  */

/* Borrowed UTF-8 text, valid for one call. */
typedef struct RunnerStr {
    const uint8_t *ptr;
    size_t len;
} RunnerStr;

/* A host-owned output buffer; opaque. */
typedef struct RunnerSink RunnerSink;

/* What the host offers on every call. One table per worker thread/process. */
typedef struct RunnerHost {
    uint32_t abi_version;  /* RUNNER_ABI_VERSION of the host  */
    uint32_t struct_size;  /* sizeof(RunnerHost) in the host  */
    void *data;            /* pass back to the functions below */
    /* Appends len bytes to sink. */
    void (*sink_write)(RunnerSink *sink, const uint8_t *ptr, size_t len);
    /* A point where the simulated interpreter lock may switch threads. */
    void (*checkpoint)(void *data);
    /* A custom event: name and a JSON detail, onto the run's event stream. */
    void (*emit)(void *data, RunnerStr name, RunnerStr detail_json);
    /* Blocking sleep; releases the simulated interpreter lock meanwhile. */
    int32_t (*sleep)(void *data, uint64_t nanos);
    /* Around a wait on another worker (a barrier, a condition, a lock of your
     * own): releases and retakes the simulated interpreter lock, like CPython's
     * Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS. Always in pairs. */
    void (*blocking_begin)(void *data);
    void (*blocking_end)(void *data);
    /* Index of the calling worker, 0..workers-1, and how many the run has. */
    uint32_t worker;
    uint32_t workers;
    /* Ends the whole run now as failed with `message` (e.g. a deadlock the
     * plugin detected). Does not return. */
    void (*fail_run)(void *data, RunnerStr message);
    /* Blocking HTTP GET: *status gets the HTTP status, body the body; on a
     * transport error returns RUNNER_ERROR with the message in body. Releases
     * the simulated interpreter lock while it waits. */
    int32_t (*http_get)(void *data, RunnerStr url, uint16_t *status, RunnerSink *body);
    /* Async forms, for Rust plugins (they return async_ffi futures); C plugins
     * must not call them. */
    void *sleep_async;
    void *http_get_async;
    /* A private directory (0700) for this run's files, made before the run and
     * removed after it by the runner, however the run ended. Empty when the
     * plugin is only being described. */
    RunnerStr scratch_dir;
    /* Host-owned sinks of the plugin's own, e.g. for http_get's body (a C
     * plugin cannot make one otherwise). Present when struct_size covers them:
     *   if (host->struct_size >= offsetof(RunnerHost, sink_free) + sizeof(void *))
     * sink_new makes an empty sink; sink_bytes returns its bytes (and their
     * count in *len), valid until the next write or free; sink_free frees it. */
    RunnerSink *(*sink_new)(void);
    const uint8_t *(*sink_bytes)(const RunnerSink *sink, size_t *len);
    void (*sink_free)(RunnerSink *sink);
} RunnerHost;

/* The plugin's root table. Every entry must be set: the host refuses a table
 * with a NULL entry. */
typedef struct RunnerPlugin {
    uint32_t abi_version;  /* RUNNER_ABI_VERSION the plugin was built for */
    uint32_t struct_size;  /* sizeof(RunnerPlugin) in the plugin          */

    /* Writes the manifest, a JSON object:
     * {"name": "...", "version": "...", "description": "...",
     *  "workloads": [{"name": "...", "description": "...",
     *                 "params": [{"name": "...", "type": "int|float|bool|string|path|table",
     *                             "default": <value>, "help": "..."}]}]}        */
    int32_t (*manifest)(const RunnerHost *host, RunnerSink *out);

    /* Makes an instance of `workload` for `units` units. params_json is a JSON
     * object with every declared parameter (defaults filled in by the host). */
    int32_t (*prepare)(const RunnerHost *host, RunnerStr workload, RunnerStr params_json,
                       uint64_t units, void **instance, RunnerSink *err);

    /* Runs unit `unit` (0-based); writes its result text (JSON by convention). */
    int32_t (*run_unit)(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out);

    /* Checks all results: results_json is a JSON array, one entry per unit, the
     * unit's output as a string or null where it failed. RUNNER_OK = verified,
     * RUNNER_ERROR = not verified; either way write a one-line explanation.
     * The figures channel: the explanation may instead be a JSON object
     *   {"message": "...", "figures": {"name": 1.5, ...}}
     * whose message is shown as the verdict and whose figures feed [report]
     * tables and figure("name", "label") expectations (reports mark them as
     * reported by the plugin). */
    int32_t (*verify)(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out);

    /* Frees an instance made by prepare. */
    void (*release)(void *instance);

    /* Optional from here on (the host reads them only if struct_size covers them). */

    /* The async form of run_unit, returning an async_ffi future: Rust only.
     * C plugins set it to NULL (or leave the table shorter). */
    void *run_unit_async;
} RunnerPlugin;

#ifdef __cplusplus
}
#endif

#endif /* RUNNER_PLUGIN_H */
