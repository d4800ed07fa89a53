/*
 * What every forgery shares: the ABI version, writing to a sink, the mix
 * workload's parameters (as the cpu plugin declares them), the manifest
 * function and the root table. Each forgery defines MANIFEST, prepare,
 * run_unit, verify and release, then says RUNNER_EXPORT(async_or_NULL).
 */
#ifndef FORGERY_H
#define FORGERY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "runner_plugin.h"

const uint32_t runner_abi_version = RUNNER_ABI_VERSION;

static void say(const RunnerHost *host, RunnerSink *sink, const char *text) {
    host->sink_write(sink, (const uint8_t *)text, strlen(text));
}

/* A prepare() for a forgery with no state of its own: any parameters, only
 * the workload `name`. */
#define STATELESS_PREPARE(name)                                                                            \
    static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units, \
                           void **instance, RunnerSink *err) {                                             \
        (void)params_json;                                                                                 \
        (void)units;                                                                                       \
        if (workload.len != strlen(name) || memcmp(workload.ptr, name, workload.len) != 0) {               \
            say(host, err, "no such workload");                                                            \
            return RUNNER_ERROR;                                                                           \
        }                                                                                                  \
        static int token;                                                                                  \
        *instance = &token;                                                                                \
        return RUNNER_OK;                                                                                  \
    }

/* The parameters of the cpu plugin's `mix`, closing the manifest. */
#define MIX_PARAMS                                                                                         \
    "{\"name\":\"steps\",\"type\":\"int\",\"default\":10000000,\"help\":\"total steps\"},"                  \
    "{\"name\":\"checkpoint_every\",\"type\":\"int\",\"default\":4096,\"help\":\"steps between checkpoints\"}," \
    "{\"name\":\"seed\",\"type\":\"int\",\"default\":0,\"help\":\"the run's secret\"},"                       \
    "{\"name\":\"trail\",\"type\":\"int\",\"default\":16,\"help\":\"segments per unit\"}]}]}"

/* manifest() and the root table, from the forgery's own functions. */
#define RUNNER_EXPORT(run_unit_async)                                                                      \
    static int32_t manifest(const RunnerHost *host, RunnerSink *out) {                                     \
        say(host, out, MANIFEST);                                                                          \
        return RUNNER_OK;                                                                                  \
    }                                                                                                      \
    static const RunnerPlugin PLUGIN = {                                                                   \
        RUNNER_ABI_VERSION, sizeof(RunnerPlugin), manifest, prepare, run_unit, verify, release,           \
        (void *)(run_unit_async),                                                                          \
    };                                                                                                     \
    const RunnerPlugin *runner_plugin(void) { return &PLUGIN; }

/* An async form for C: `run_unit_async` runs `run_unit` at once and returns a
 * future that is already ready with its status, in async_ffi's layout (a
 * pointer, a poll function and a drop function). */
typedef struct {
    uint8_t tag;
    int32_t value;
} FfiPollI32;

typedef struct {
    void *fut_ptr;
    FfiPollI32 (*poll_fn)(void *fut_ptr, void *context);
    void (*drop_fn)(void *fut_ptr);
} FfiFutureI32;

static inline FfiPollI32 ready(void *fut_ptr, void *context) {
    (void)context;
    FfiPollI32 poll = {0, (int32_t)(intptr_t)fut_ptr};
    return poll;
}

static inline void drop_nothing(void *fut_ptr) { (void)fut_ptr; }

#define RUNNER_ASYNC_READY(run_unit)                                                                       \
    static FfiFutureI32 run_unit_async(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) { \
        int32_t status = run_unit(instance, host, unit, out);                                              \
        FfiFutureI32 future = {(void *)(intptr_t)status, ready, drop_nothing};                             \
        return future;                                                                                     \
    }

#endif
