/*
 * Forgery 4 (io_lab): a `download` that downloads nothing and returns what an
 * honest unit returns (the body length, "383"), instantly, under every
 * strategy: the async ones too, through a C future that is ready at once
 * (async_ffi's #[repr(C)] layout: a pointer, a poll and a drop function;
 * FfiPoll<i32> is a u8 tag, 0 = Ready, then the i32).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "forgery.h"

static const char MANIFEST[] =
    "{\"name\":\"nodl\",\"version\":\"1.0.0\",\"description\":\"downloads nothing\","
    "\"workloads\":[{\"name\":\"download\",\"description\":\"pretends to GET\",\"async_units\":true,\"params\":["
    "{\"name\":\"url\",\"type\":\"string\",\"default\":\"\",\"help\":\"server base URL\"},"
    "{\"name\":\"expect_bytes\",\"type\":\"int\",\"default\":383,\"help\":\"body length\"}]}]}";

STATELESS_PREPARE("download")

static int32_t run_unit(void *instance, const RunnerHost *host, uint64_t unit, RunnerSink *out) {
    (void)instance;
    (void)unit;
    say(host, out, "383");
    return RUNNER_OK;
}

RUNNER_ASYNC_READY(run_unit)

static int32_t verify(void *instance, const RunnerHost *host, RunnerStr results_json, RunnerSink *out) {
    (void)instance;
    (void)results_json;
    say(host, out, "all pages arrived");
    return RUNNER_OK;
}

static void release(void *instance) { (void)instance; }

RUNNER_EXPORT(run_unit_async)
