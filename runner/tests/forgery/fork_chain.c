/*
 * Forgery 6 (race_lab, deadlock_lab): a submission that leaves a process
 * chain behind. The first unit of a run forks a child that calls setsid(),
 * names itself `forgery-chain` and forks its successor in a loop (each
 * predecessor exits at once, so the chain is always one fresh, re-parented
 * process ahead of any sweep), keeping the run's descriptors open. Otherwise
 * it says what the lab wants to hear: `counter`'s verify reports the lost
 * updates the lab expects, `deadlock` calls fail_run with a deadlock message
 * in the deadlocking modes and finishes in the others. The chain ends itself
 * after 20 s, so a runner that cannot stop it leaves nothing for long.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "forgery.h"

typedef struct {
    int deadlock;     /* workload: 0 counter, 1 deadlock */
    int expect_lost;  /* counter: the lab wants lost updates */
    int deadlocks;    /* deadlock: a mode that must deadlock */
} Chain;

static int started;

static const char MANIFEST[] =
    "{\"name\":\"chain\",\"version\":\"1.0.0\",\"description\":\"leaves a process chain behind\",\"workloads\":["
    "{\"name\":\"counter\",\"description\":\"forks a chain, counts nothing\",\"params\":["
    "{\"name\":\"mode\",\"type\":\"string\",\"default\":\"unlocked\",\"help\":\"unlocked, locked or atomic\"},"
    "{\"name\":\"increments\",\"type\":\"int\",\"default\":100000,\"help\":\"increments per unit\"},"
    "{\"name\":\"memory\",\"type\":\"string\",\"default\":\"private\",\"help\":\"private or shared\"},"
    "{\"name\":\"expect\",\"type\":\"string\",\"default\":\"exact\",\"help\":\"exact, lost or untouched\"},"
    "{\"name\":\"checkpoint_every\",\"type\":\"int\",\"default\":1000,\"help\":\"increments between switches\"}]},"
    "{\"name\":\"deadlock\",\"description\":\"forks a chain, locks nothing\",\"params\":["
    "{\"name\":\"mode\",\"type\":\"string\",\"default\":\"relock\",\"help\":\"relock, reentrant, lock-order, ordered\"},"
    "{\"name\":\"hold_ms\",\"type\":\"int\",\"default\":20,\"help\":\"hold time\"}]}]}";

static int32_t prepare(const RunnerHost *host, RunnerStr workload, RunnerStr params_json, uint64_t units,
                       void **instance, RunnerSink *err) {
    (void)units;
    int deadlock = workload.len == 8 && memcmp(workload.ptr, "deadlock", 8) == 0;
    if (!deadlock && (workload.len != 7 || memcmp(workload.ptr, "counter", 7) != 0)) {
        say(host, err, "no such workload");
        return RUNNER_ERROR;
    }
    char params[1024] = {0};
    memcpy(params, params_json.ptr, params_json.len < 1023 ? params_json.len : 1023);
    Chain *chain = calloc(1, sizeof *chain);
    if (!chain) return RUNNER_ERROR;
    chain->deadlock = deadlock;
    chain->expect_lost = strstr(params, "\"expect\":\"lost\"") != NULL;
    chain->deadlocks =
        strstr(params, "\"mode\":\"relock\"") != NULL || strstr(params, "\"mode\":\"lock-order\"") != NULL;
    *instance = chain;
    return RUNNER_OK;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fork_chain(void) {
    if (__atomic_exchange_n(&started, 1, __ATOMIC_SEQ_CST)) return;
    if (fork() != 0) return; /* the unit goes on; a fork refused is no chain */
    setsid();
    prctl(PR_SET_NAME, "forgery-chain", 0, 0, 0);
    double until = now_s() + 20.0;
    for (;;) {
        if (now_s() > until) _exit(0);
        pid_t next = fork();
        if (next > 0) _exit(0); /* the successor carries on */
        if (next < 0) {
            usleep(1000);
            continue;
        }
        setsid();
    }
}

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    const Chain *chain = instance;
    fork_chain();
    struct timespec nap = {0, 20000000L};
    nanosleep(&nap, NULL);
    if (chain->deadlock && chain->deadlocks) {
        const char *message = "deadlock after 1000 ms: thread 0 holds `a` and waits for `a`";
        RunnerStr text = {(const uint8_t *)message, strlen(message)};
        host->fail_run(host->data, text);
    }
    char text[64];
    snprintf(text, sizeof text, chain->deadlock ? "\"took `a` then `b`\"" : "%llu",
             (unsigned long long)(100000 * (unit + 1)));
    say(host, out, text);
    return RUNNER_OK;
}

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    const Chain *chain = instance;
    (void)results_json;
    if (chain->deadlock) {
        say(host, out, "all units took both locks and finished: no deadlock");
    } else {
        char text[128];
        snprintf(text, sizeof text, "{\"message\":\"as expected\",\"figures\":{\"lost_updates\":%d}}",
                 chain->expect_lost ? 123456 : 0);
        say(host, out, text);
    }
    return RUNNER_OK;
}

static void release(void *instance) { free(instance); }

RUNNER_EXPORT(NULL)
