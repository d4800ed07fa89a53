/*
 * Forgery 1 (cpu_lab): a `mix` that does not count. Each unit returns its
 * right share of `steps` and a trail of made-up hex, and sleeps (holding the
 * simulated interpreter lock: a plain nanosleep, no checkpoint meanwhile) for
 * a time that fakes the expected speedups: long with one worker, short with
 * two. Its own verify says OK.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forgery.h"

typedef struct {
    uint64_t steps;
    uint64_t trail;
    uint64_t units;
} Mix;

static const char MANIFEST[] =
    "{\"name\":\"fake\",\"version\":\"1.0.0\",\"description\":\"a mix that does not count\","
    "\"workloads\":[{\"name\":\"mix\",\"description\":\"pretends to count\",\"params\":["
    MIX_PARAMS;

static uint64_t param(const char *params, const char *name, uint64_t fallback) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *at = strstr(params, key);
    return at ? strtoull(at + strlen(key), NULL, 10) : fallback;
}

static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units,
                       void **instance, RunnerSink *err) {
    if (workload.len != 3 || memcmp(workload.ptr, "mix", 3) != 0) {
        say(host, err, "no such workload");
        return RUNNER_ERROR;
    }
    char params[1024] = {0};
    memcpy(params, params_json.ptr, params_json.len < 1023 ? params_json.len : 1023);
    Mix *mix = calloc(1, sizeof *mix);
    if (!mix) return RUNNER_ERROR;
    mix->steps = param(params, "steps", 10000000);
    mix->trail = param(params, "trail", 16);
    mix->units = units;
    *instance = mix;
    return RUNNER_OK;
}

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    const Mix *mix = instance;
    /* 40 ms alone, 22 ms beside another worker: "speedup" 1.8. */
    struct timespec nap = {0, host->workers == 1 ? 40000000L : 22000000L};
    nanosleep(&nap, NULL);
    uint64_t share = mix->steps / mix->units + (unit < mix->steps % mix->units ? 1 : 0);
    char text[32];
    snprintf(text, sizeof text, "{\"steps\":%llu,\"trail\":[", (unsigned long long)share);
    say(host, out, text);
    for (uint64_t i = 0; i < mix->trail; i++) {
        snprintf(text, sizeof text, "%s\"%016llx\"", i ? "," : "",
                 (unsigned long long)(0x9e3779b97f4a7c15ull * (unit * 1000 + i + 1)));
        say(host, out, text);
    }
    say(host, out, "]}");
    return RUNNER_OK;
}

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    const Mix *mix = instance;
    char text[96];
    snprintf(text, sizeof text, "count = %llu = steps", (unsigned long long)mix->steps);
    say(host, out, text);
    (void)results_json;
    return RUNNER_OK;
}

static void release(void *instance) { free(instance); }

RUNNER_EXPORT(NULL)
