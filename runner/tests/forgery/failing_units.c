/*
 * Forgery 5 (cpu_lab): a `mix` whose every unit fails. Runs that do nothing
 * are fast, and "no speedup under the lock" holds for them trivially.
 */
#include <stddef.h>
#include <string.h>

#include "forgery.h"

static const char MANIFEST[] =
    "{\"name\":\"failing\",\"version\":\"1.0.0\",\"description\":\"every unit fails\","
    "\"workloads\":[{\"name\":\"mix\",\"description\":\"fails\",\"params\":["
    MIX_PARAMS;

STATELESS_PREPARE("mix")

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

RUNNER_EXPORT(NULL)
