/*
 * A runner plugin in plain C: proof that runner_plugin.h is all a plugin
 * author needs. Workload `sum`: unit i computes 1 + 2 + ... + n (checkpointing
 * as it goes) and returns the sum; verify checks that every unit returned
 * n(n+1)/2. Workload `fetch`: unit i GETs `url` into a sink of its own, made
 * by the host (sink_new), and returns "status:bytes"; verify checks that every
 * unit got a 200 with a body.
 *
 *   cc -shared -fPIC -I ../sdk/include -o librunner_plugin_csum.so sum.c
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_plugin.h"

const uint32_t runner_abi_version = RUNNER_ABI_VERSION;

typedef struct {
    int fetch;      /* which workload: 0 sum, 1 fetch */
    uint64_t n;
    uint64_t units;
    char url[512];
} Sum;

static void say(const RunnerHost *host, RunnerSink *sink, const char *text) {
    host->sink_write(sink, (const uint8_t *)text, strlen(text));
}

static const char MANIFEST[] =
    "{\"name\":\"csum\",\"version\":\"1.0.0\",\"description\":\"a plugin written in C\","
    "\"workloads\":[{\"name\":\"sum\",\"description\":\"each unit sums 1..n\","
    "\"params\":[{\"name\":\"n\",\"type\":\"int\",\"default\":1000,\"help\":\"numbers to add\"}]},"
    "{\"name\":\"fetch\",\"description\":\"each unit GETs url into a host-made sink\","
    "\"params\":[{\"name\":\"url\",\"type\":\"string\",\"default\":\"\",\"help\":\"the page (the scenario's server)\"}]}]}";

static int32_t manifest(const RunnerHost *host, RunnerSink *out) {
    say(host, out, MANIFEST);
    return RUNNER_OK;
}

static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units,
                       void **instance, RunnerSink *err) {
    int fetch = workload.len == 5 && memcmp(workload.ptr, "fetch", 5) == 0;
    if (!fetch && (workload.len != 3 || memcmp(workload.ptr, "sum", 3) != 0)) {
        say(host, err, "no such workload");
        return RUNNER_ERROR;
    }
    char params[768] = {0};
    memcpy(params, params_json.ptr, params_json.len < 767 ? params_json.len : 767);
    Sum *sum = calloc(1, sizeof *sum);
    if (!sum) {
        say(host, err, "out of memory");
        return RUNNER_ERROR;
    }
    sum->fetch = fetch;
    sum->units = units;
    if (fetch) {
        const char *url = strstr(params, "\"url\":\"");
        const char *end = url ? strchr(url + 7, '"') : NULL;
        if (!end || end - (url + 7) >= (long)sizeof sum->url || end == url + 7) {
            free(sum);
            say(host, err, "parameter url is missing (give the scenario a [server])");
            return RUNNER_ERROR;
        }
        memcpy(sum->url, url + 7, (size_t)(end - (url + 7)));
    } else {
        const char *n = strstr(params, "\"n\":");
        if (!n) {
            free(sum);
            say(host, err, "parameter n is missing");
            return RUNNER_ERROR;
        }
        sum->n = strtoull(n + 4, NULL, 10);
    }
    *instance = sum;
    return RUNNER_OK;
}

/* The body goes into a sink the host made for us: the ABI's sinks are
 * host-owned, and C has no other way to hold a growing buffer the host fills. */
static int32_t fetch_unit(const Sum *sum, const RunnerHost *host, RunnerSink *out) {
    if (host->struct_size < offsetof(RunnerHost, sink_free) + sizeof(void *)) {
        say(host, out, "this runner offers no sink_new: too old");
        return RUNNER_ERROR;
    }
    RunnerSink *body = host->sink_new();
    uint16_t status = 0;
    RunnerStr url = {(const uint8_t *)sum->url, strlen(sum->url)};
    int32_t code = host->http_get(host->data, url, &status, body);
    size_t len = 0;
    const uint8_t *bytes = host->sink_bytes(body, &len);
    char text[64];
    if (code == RUNNER_OK) {
        snprintf(text, sizeof text, "%u:%zu", (unsigned)status, len);
        say(host, out, text);
    } else {
        host->sink_write(out, bytes, len);
    }
    host->sink_free(body);
    return code == RUNNER_OK ? RUNNER_OK : RUNNER_ERROR;
}

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    const Sum *sum = instance;
    if (sum->fetch) return fetch_unit(sum, host, out);
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
    if (sum->fetch) {
        snprintf(expected, sizeof expected, "\"200:383\"");
    } else {
        snprintf(expected, sizeof expected, "\"%llu\"", (unsigned long long)(sum->n * (sum->n + 1) / 2));
    }
    uint64_t right = 0;
    size_t len = strlen(expected);
    for (size_t i = 0; i + len <= results_json.len; i++) {
        if (memcmp(results_json.ptr + i, expected, len) == 0) right++;
    }
    char text[96];
    snprintf(text, sizeof text, "%llu of %llu units %s %s", (unsigned long long)right,
             (unsigned long long)sum->units, sum->fetch ? "got" : "summed to", expected);
    say(host, out, text);
    return right == sum->units ? RUNNER_OK : RUNNER_ERROR;
}

static void release(void *instance) { free(instance); }

static const RunnerPlugin PLUGIN = {
    RUNNER_ABI_VERSION, sizeof(RunnerPlugin), manifest, prepare, run_unit, verify, release, NULL,
};

const RunnerPlugin *runner_plugin(void) { return &PLUGIN; }
