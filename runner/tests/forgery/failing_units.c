/*
 * Forgery 5 (cpu_lab): a `mix` whose every unit fails. Runs that do nothing
 * are fast, and "no speedup under the lock" holds for them trivially.
 */
#include <stddef.h>
#include <string.h>

#include "runner_plugin.h"

const uint32_t runner_abi_version = RUNNER_ABI_VERSION;

static void say(const RunnerHost *host, RunnerSink *sink, const char *text) {
    host->sink_write(sink, (const uint8_t *)text, strlen(text));
}

static const char MANIFEST[] =
    "{\"name\":\"failing\",\"version\":\"1.0.0\",\"description\":\"every unit fails\","
    "\"workloads\":[{\"name\":\"mix\",\"description\":\"fails\",\"params\":["
    "{\"name\":\"steps\",\"type\":\"int\",\"default\":10000000,\"help\":\"total steps\"},"
    "{\"name\":\"checkpoint_every\",\"type\":\"int\",\"default\":4096,\"help\":\"steps between checkpoints\"},"
    "{\"name\":\"seed\",\"type\":\"int\",\"default\":0,\"help\":\"the run's secret\"},"
    "{\"name\":\"trail\",\"type\":\"int\",\"default\":16,\"help\":\"segments per unit\"}]}]}";

static int32_t manifest(const RunnerHost *host, RunnerSink *out) {
    say(host, out, MANIFEST);
    return RUNNER_OK;
}

static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units,
                       void **instance, RunnerSink *err) {
    (void)params_json;
    (void)units;
    if (workload.len != 3 || memcmp(workload.ptr, "mix", 3) != 0) {
        say(host, err, "no such workload");
        return RUNNER_ERROR;
    }
    static int token;
    *instance = &token;
    return RUNNER_OK;
}

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    (void)instance;
    (void)unit;
    say(host, out, "forgery: this unit fails on purpose");
    return RUNNER_ERROR;
}

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    (void)instance;
    (void)results_json;
    say(host, out, "nothing was counted");
    return RUNNER_ERROR;
}

static void release(void *instance) { (void)instance; }

static const RunnerPlugin PLUGIN = {
    RUNNER_ABI_VERSION, sizeof(RunnerPlugin), manifest, prepare, run_unit, verify, release, NULL,
};

const RunnerPlugin *runner_plugin(void) { return &PLUGIN; }
