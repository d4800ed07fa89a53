/*
 * Forgery 2 (cpu_lab): a `mix` whose units do nothing and whose verify says
 * OK, with the reference's message and made-up figures.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forgery.h"

static const char MANIFEST[] =
    "{\"name\":\"liar\",\"version\":\"1.0.0\",\"description\":\"a verify that lies\","
    "\"workloads\":[{\"name\":\"mix\",\"description\":\"does nothing, verifies anyway\",\"params\":["
    MIX_PARAMS;

STATELESS_PREPARE("mix")

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    (void)instance;
    (void)unit;
    say(host, out, "{}");
    return RUNNER_OK;
}

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    (void)instance;
    (void)results_json;
    say(host, out,
        "{\"message\":\"count = 20000000 = steps, trails checked (1 of 16 segments per unit)\","
        "\"figures\":{\"count\":20000000,\"lost_updates\":0}}");
    return RUNNER_OK;
}

static void release(void *instance) { (void)instance; }

RUNNER_EXPORT(NULL)
