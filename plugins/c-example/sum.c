/*
 * A runner plugin in plain C: proof that runner_plugin.h is all a plugin
 * author needs. Workload `sum`: unit i computes 1 + 2 + ... + n (checkpointing
 * as it goes) and returns the sum; verify checks that every unit returned
 * n(n+1)/2.
 *
 *   cc -shared -fPIC -I ../sdk/include -o librunner_plugin_csum.so sum.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_plugin.h"

const uint32_t runner_abi_version = RUNNER_ABI_VERSION;

typedef struct {
    uint64_t n;
    uint64_t units;
} Sum;

static void say(const RunnerHost *host, RunnerSink *sink, const char *text) {
    host->sink_write(sink, (const uint8_t *)text, strlen(text));
}

static const char MANIFEST[] =
    "{\"name\":\"csum\",\"version\":\"1.0.0\",\"description\":\"a plugin written in C\","
    "\"workloads\":[{\"name\":\"sum\",\"description\":\"each unit sums 1..n\","
    "\"params\":[{\"name\":\"n\",\"type\":\"int\",\"default\":1000,\"help\":\"numbers to add\"}]}]}";

static int32_t manifest(const RunnerHost *host, RunnerSink *out) {
    say(host, out, MANIFEST);
    return RUNNER_OK;
}

static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units,
                       void **instance, RunnerSink *err) {
    if (workload.len != 3 || memcmp(workload.ptr, "sum", 3) != 0) {
        say(host, err, "no such workload");
        return RUNNER_ERROR;
    }
    char params[256] = {0};
    memcpy(params, params_json.ptr, params_json.len < 255 ? params_json.len : 255);
    const char *n = strstr(params, "\"n\":");
    Sum *sum = malloc(sizeof *sum);
    if (!n || !sum) {
        free(sum);
        say(host, err, "parameter n is missing");
        return RUNNER_ERROR;
    }
    sum->n = strtoull(n + 4, NULL, 10);
    sum->units = units;
    *instance = sum;
    return RUNNER_OK;
}

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    const Sum *sum = instance;
    volatile uint64_t total = 0;
    for (uint64_t i = 1; i <= sum->n; i++) {
        total += i;
        if (i % 4096 == 0) host->checkpoint(host->data);
    }
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)total);
    say(host, out, text);
    (void)unit;
    return RUNNER_OK;
}

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    const Sum *sum = instance;
    char expected[40];
    snprintf(expected, sizeof expected, "\"%llu\"", (unsigned long long)(sum->n * (sum->n + 1) / 2));
    uint64_t right = 0;
    size_t len = strlen(expected);
    for (size_t i = 0; i + len <= results_json.len; i++) {
        if (memcmp(results_json.ptr + i, expected, len) == 0) right++;
    }
    char text[96];
    snprintf(text, sizeof text, "%llu of %llu units summed to %s", (unsigned long long)right,
             (unsigned long long)sum->units, expected);
    say(host, out, text);
    return right == sum->units ? RUNNER_OK : RUNNER_ERROR;
}

static void release(void *instance) { free(instance); }

static const RunnerPlugin PLUGIN = {
    RUNNER_ABI_VERSION, sizeof(RunnerPlugin), manifest, prepare, run_unit, verify, release, NULL,
};

const RunnerPlugin *runner_plugin(void) { return &PLUGIN; }
