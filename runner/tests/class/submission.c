/*
 * A student's `sum` (the c-example plugin's workload: unit i sums 1..n),
 * in the kinds a class hands in. The test writes `#define KIND_…` above
 * this text in each generated submission's sum.c; without one it is the
 * honest answer. The lab's reference (plugins/c-example/sum.c, built as the
 * instructor's `csum`) verifies every result in a process of its own.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner_plugin.h"

const uint32_t runner_abi_version = RUNNER_ABI_VERSION;

static void say(const RunnerHost *host, RunnerSink *sink, const char *text) {
    host->sink_write(sink, (const uint8_t *)text, strlen(text));
}

static const char MANIFEST[] =
    "{\"name\":\"csum\",\"version\":\"1.0.0\",\"description\":\"a student's sum\","
    "\"workloads\":[{\"name\":\"sum\",\"description\":\"each unit sums 1..n\","
    "\"params\":[{\"name\":\"n\",\"type\":\"int\",\"default\":1000,\"help\":\"numbers to add\"}]}]}";

static int32_t manifest(const RunnerHost *host, RunnerSink *out) {
    say(host, out, MANIFEST);
    return RUNNER_OK;
}

static uint64_t n_of(RunnerStr params_json) {
    char params[256] = {0};
    memcpy(params, params_json.ptr, params_json.len < 255 ? params_json.len : 255);
    const char *n = strstr(params, "\"n\":");
    return n ? strtoull(n + 4, NULL, 10) : 0;
}

static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units,
                       void **instance, RunnerSink *err) {
    (void)units;
    if (workload.len != 3 || memcmp(workload.ptr, "sum", 3) != 0) {
        say(host, err, "no such workload");
        return RUNNER_ERROR;
    }
    uint64_t *n = malloc(sizeof *n);
    *n = n_of(params_json);
    *instance = n;
    return RUNNER_OK;
}

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    uint64_t n = *(const uint64_t *)instance;
    (void)unit;
#if defined(KIND_CRASH)
    raise(SIGSEGV);
#elif defined(KIND_HANG)
    for (;;) pause();
#elif defined(KIND_LEAK)
    if (fork() == 0) {
        /* Lets go of every pipe, so only the leftover sweep can find it. */
        for (int fd = 0; fd < 1024; fd++) close(fd);
        setsid();
        sleep(600);
        _exit(0);
    }
#elif defined(KIND_PEEK)
    /* Another student's work, by absolute path: a run may not read it. */
    FILE *other = fopen(KIND_PEEK, "r");
    if (other != NULL) raise(SIGSEGV);
#elif defined(KIND_SPAM)
    static char line[4096];
    memset(line, 'x', sizeof line - 1);
    for (int i = 0; i < 4096; i++) puts(line);
#endif
    uint64_t total = 0;
    for (uint64_t i = 1; i <= n; i++) {
        total += i;
        if (i % 4096 == 0) host->checkpoint(host->data);
    }
#if defined(KIND_WRONG)
    total += 1;
#endif
    char text[32];
    snprintf(text, sizeof text, "%llu", (unsigned long long)total);
    say(host, out, text);
    return RUNNER_OK;
}

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    (void)instance;
    (void)results_json;
    say(host, out, "the student says: all right");
    return RUNNER_OK;
}

static void release(void *instance) { free(instance); }

static const RunnerPlugin PLUGIN = {
    RUNNER_ABI_VERSION, sizeof(RunnerPlugin), manifest, prepare, run_unit, verify, release, NULL,
};

const RunnerPlugin *runner_plugin(void) { return &PLUGIN; }
