/*
 * Forgery 3 (every lab): the first unit to run keeps a copy of fd 3, puts
 * /dev/null in its place (so the runner's own events go nowhere), writes a
 * complete, plausible event stream of its own on the copy (every unit done,
 * small measured times, a result per unit, verified = true with the figures
 * the lab wants) and _exits(0). Nothing is counted, downloaded or locked.
 * Declares the workloads of all four labs (mix, download, counter, deadlock),
 * with the real plugins' parameters; `download` has an async form (a C future
 * ready at once, as in no_download.c) so io_lab's `async` strategy runs too.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "forgery.h"

enum { MIX, DOWNLOAD, COUNTER, DEADLOCK };

typedef struct {
    int workload;
    uint64_t units;
    uint64_t steps;
    uint64_t trail;
    int expect_lost;
    uint64_t origin_ns; /* the forger's guess at the run clock's zero */
} Forged;

static int forged;

static const char MANIFEST[] =
    "{\"name\":\"forger\",\"version\":\"1.0.0\",\"description\":\"writes its own event stream\",\"workloads\":["
    "{\"name\":\"mix\",\"description\":\"forged\",\"params\":["
    "{\"name\":\"steps\",\"type\":\"int\",\"default\":10000000,\"help\":\"total steps\"},"
    "{\"name\":\"checkpoint_every\",\"type\":\"int\",\"default\":4096,\"help\":\"steps between checkpoints\"},"
    "{\"name\":\"seed\",\"type\":\"int\",\"default\":0,\"help\":\"the run's secret\"},"
    "{\"name\":\"trail\",\"type\":\"int\",\"default\":16,\"help\":\"segments per unit\"}]},"
    "{\"name\":\"download\",\"description\":\"forged\",\"async_units\":true,\"params\":["
    "{\"name\":\"url\",\"type\":\"string\",\"default\":\"\",\"help\":\"server base URL\"},"
    "{\"name\":\"expect_bytes\",\"type\":\"int\",\"default\":383,\"help\":\"body length\"}]},"
    "{\"name\":\"counter\",\"description\":\"forged\",\"params\":["
    "{\"name\":\"mode\",\"type\":\"string\",\"default\":\"unlocked\",\"help\":\"unlocked, locked or atomic\"},"
    "{\"name\":\"increments\",\"type\":\"int\",\"default\":100000,\"help\":\"increments per unit\"},"
    "{\"name\":\"memory\",\"type\":\"string\",\"default\":\"private\",\"help\":\"private or shared\"},"
    "{\"name\":\"expect\",\"type\":\"string\",\"default\":\"exact\",\"help\":\"exact, lost or untouched\"},"
    "{\"name\":\"checkpoint_every\",\"type\":\"int\",\"default\":1000,\"help\":\"increments between switches\"}]},"
    "{\"name\":\"deadlock\",\"description\":\"forged\",\"params\":["
    "{\"name\":\"mode\",\"type\":\"string\",\"default\":\"relock\",\"help\":\"relock, reentrant, lock-order, ordered\"},"
    "{\"name\":\"hold_ms\",\"type\":\"int\",\"default\":20,\"help\":\"hold time\"}]}]}";

static uint64_t monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t param(const char *params, const char *name, uint64_t fallback) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *at = strstr(params, key);
    return at ? strtoull(at + strlen(key), NULL, 10) : fallback;
}

static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units,
                       void **instance, RunnerSink *err) {
    static const char *NAMES[] = {"mix", "download", "counter", "deadlock"};
    int which = -1;
    for (int i = 0; i < 4; i++) {
        if (workload.len == strlen(NAMES[i]) && memcmp(workload.ptr, NAMES[i], workload.len) == 0) which = i;
    }
    if (which < 0) {
        say(host, err, "no such workload");
        return RUNNER_ERROR;
    }
    char params[1024] = {0};
    memcpy(params, params_json.ptr, params_json.len < 1023 ? params_json.len : 1023);
    Forged *f = calloc(1, sizeof *f);
    if (!f) return RUNNER_ERROR;
    f->workload = which;
    f->units = units;
    f->steps = param(params, "steps", 10000000);
    f->trail = param(params, "trail", 16);
    f->expect_lost = strstr(params, "\"expect\":\"lost\"") != NULL;
    f->origin_ns = monotonic_ns();
    *instance = f;
    return RUNNER_OK;
}

static void put(int fd, const char *text) {
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n <= 0) return;
        text += n;
        len -= (size_t)n;
    }
}

/* What an honest unit of each workload returns, as a JSON string. */
static void result(const Forged *f, uint64_t unit, char *text, size_t size) {
    switch (f->workload) {
    case MIX: {
        uint64_t share = f->steps / f->units + (unit < f->steps % f->units ? 1 : 0);
        size_t at = (size_t)snprintf(text, size, "\"{\\\"steps\\\":%llu,\\\"trail\\\":[", (unsigned long long)share);
        for (uint64_t i = 0; i < f->trail && at + 40 < size; i++) {
            at += (size_t)snprintf(text + at, size - at, "%s\\\"%016llx\\\"", i ? "," : "",
                                   (unsigned long long)(0x9e3779b97f4a7c15ull * (unit * 1000 + i + 1)));
        }
        snprintf(text + at, size - at, "]}\"");
        break;
    }
    case DOWNLOAD: snprintf(text, size, "\"383\""); break;
    case COUNTER: snprintf(text, size, "\"%llu\"", (unsigned long long)(100000 * (unit + 1))); break;
    default: snprintf(text, size, "\"took `a` then `b`\""); break;
    }
}

static void forge(const Forged *f) {
    if (__atomic_exchange_n(&forged, 1, __ATOMIC_SEQ_CST)) {
        for (;;) pause(); /* the other workers wait for the end */
    }
    int copy = dup(3);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 3);
    close(null);
    uint64_t start = monotonic_ns() - f->origin_ns;
    char line[4096];
    size_t at = (size_t)snprintf(line, sizeof line, "{\"event\":\"units_done\",\"worker\":0,\"spans\":[");
    for (uint64_t u = 0; u < f->units && at + 64 < sizeof line; u++) {
        at += (size_t)snprintf(line + at, sizeof line - at, "%s[%llu,%llu,%llu]", u ? "," : "", (unsigned long long)u,
                               (unsigned long long)(start + u * 1000), (unsigned long long)(start + u * 1000 + 900));
    }
    snprintf(line + at, sizeof line - at, "]}\n");
    put(copy, line);
    uint64_t wall = monotonic_ns() - f->origin_ns - start + 1000;
    snprintf(line, sizeof line,
             "{\"event\":\"measured\",\"measurement\":{\"wall_ns\":%llu,\"user_ns\":%llu,\"sys_ns\":0,"
             "\"max_rss_bytes\":4000000,\"voluntary_switches\":3,\"involuntary_switches\":1,\"gil\":null}}\n",
             (unsigned long long)wall, (unsigned long long)wall / 2);
    put(copy, line);
    for (uint64_t u = 0; u < f->units; u++) {
        char one[2048];
        result(f, u, one, sizeof one);
        snprintf(line, sizeof line, "{\"event\":\"results\",\"first\":%llu,\"results\":[%s]}\n", (unsigned long long)u,
                 one);
        put(copy, line);
    }
    snprintf(line, sizeof line,
             "{\"event\":\"verified\",\"verified\":true,\"message\":\"ok\",\"figures\":{\"lost_updates\":%d}}\n",
             f->expect_lost ? 123456 : 0);
    put(copy, line);
    _exit(0);
}

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    (void)host;
    (void)unit;
    (void)out;
    forge(instance);
    return RUNNER_ERROR;
}

RUNNER_ASYNC_READY(run_unit)

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    (void)instance;
    (void)results_json;
    say(host, out, "ok");
    return RUNNER_OK;
}

static void release(void *instance) { free(instance); }

RUNNER_EXPORT(run_unit_async)
