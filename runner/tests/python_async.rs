//! `async def` units of the python plugin through the real binary: a
//! coroutine that raises, one that calls sys.exit, one that never awaits, one
//! the timeout ends, the wrong kind of function for a strategy, and the
//! awaitables (asyncio.sleep, the host's runner.get and runner.sleep,
//! asyncio's streams, aiohttp). Behaviour only, never timings.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use common::{json, library, runner, scenario, strategy};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    library("librunner_plugin_python.so");
    guard
}

/// A scenario of `units` units of inline `code`, with `rest` (strategies,
/// [server]) as TOML text.
fn python(dir: &Path, name: &str, units: u32, timeout: f64, code: &str, rest: &str) -> PathBuf {
    let text = format!(
        "[scenario]\nname = \"{name}\"\nrepeat = 1\nwarmup = 0\ntimeout = {timeout}\n\n\
         [workload]\nplugin = \"python\"\nworkload = \"python\"\nunits = {units}\n\n\
         [workload.params]\ncode = '''\n{code}\n'''\n\n{rest}"
    );
    scenario(dir, &format!("{name}.toml"), &text)
}

/// Both async strategies (2 processes for the forked one).
const ASYNC: &str = "[[strategy]]\nkind = \"async\"\n\n[[strategy]]\nkind = \"async-processes\"\nworkers = 2\n";

fn run_json(marker: &str, file: &Path, code: i32) -> serde_json::Value {
    let out = runner(marker).arg(file).args(["--format", "json"]).assert().code(code).get_output().clone();
    json(&out.stdout)
}

fn cause(s: &serde_json::Value) -> String {
    s["failure_causes"][0]["message"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn a_coroutine_that_raises_fails_its_unit_with_the_traceback() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let code = "import asyncio\n\
                async def unit(unit, units):\n    await asyncio.sleep(0.01)\n    if unit == 2:\n        \
                return await divide(unit)\n    return unit\n\n\
                async def divide(n):\n    await asyncio.sleep(0)\n    return n / (n - 2)";
    let file = python(dir.path(), "raise", 4, 30.0, code, ASYNC);
    let doc = run_json("pya-raise", &file, 1);
    for label in ["async", "async-processes"] {
        let s = strategy(&doc, label);
        let run = &s["runs"][0];
        assert_eq!((run["units_ok"].as_u64(), run["units_failed"].as_u64()), (Some(3), Some(1)), "{label}: {run}");
        let cause = cause(s);
        assert!(
            cause.starts_with("ZeroDivisionError: division by zero\nTraceback (most recent call last):"),
            "{cause}"
        );
        assert!(cause.contains("in unit\n    return await divide(unit)"), "{cause}");
        assert!(cause.contains("in divide\n    return n / (n - 2)"), "{cause}");
        // The plugin's own frames (its task wrappers) are left out.
        assert!(!cause.contains("runner_aio") && !cause.contains("runner_glue"), "{cause}");
        assert_eq!(s["verdict"], "1 of 4 units failed (first: unit 2)", "{label}: {s}");
    }
}

#[test]
fn sys_exit_in_a_coroutine_or_a_task_it_gathers_fails_only_its_unit() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let code = "import asyncio, sys\n\
                async def leave():\n    await asyncio.sleep(0.01)\n    sys.exit(4)\n\n\
                async def unit(unit, units):\n    if unit == 1:\n        sys.exit(3)\n    if unit == 2:\n        \
                await asyncio.gather(leave(), asyncio.sleep(0.02))\n    await asyncio.sleep(0.05)\n    return unit";
    let file = python(dir.path(), "exit", 5, 30.0, code, ASYNC);
    let doc = run_json("pya-exit", &file, 1);
    for label in ["async", "async-processes"] {
        let s = strategy(&doc, label);
        let run = &s["runs"][0];
        // The loop went on serving the others after both exits.
        assert_eq!((run["units_ok"].as_u64(), run["units_failed"].as_u64()), (Some(3), Some(2)), "{label}: {run}");
        let causes: Vec<&str> =
            s["failure_causes"].as_array().unwrap().iter().map(|c| c["message"].as_str().unwrap()).collect();
        assert!(causes.iter().any(|c| c.starts_with("SystemExit: 3 (sys.exit() in the demo's code")), "{causes:?}");
        assert!(causes.iter().any(|c| c.starts_with("SystemExit: 4") && c.contains("sys.exit(4)")), "{causes:?}");
    }
}

#[test]
fn a_coroutine_that_never_awaits_holds_its_loop_and_the_verdict_says_so() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let code = "import asyncio, time\n\
                async def unit(unit, units, block):\n    if unit == 0 and block:\n        time.sleep(0.6)\n    \
                else:\n        await asyncio.sleep(0.05)\n    return unit";
    let rest = "[workload.params.kwargs]\nblock = true\n\n\
                [[strategy]]\nkind = \"async\"\nlabel = \"blocked\"\n\n\
                [[strategy]]\nkind = \"async\"\nlabel = \"awaits\"\nparams = { kwargs = { block = false } }\n";
    let file = python(dir.path(), "block", 3, 30.0, code, rest);
    let doc = run_json("pya-block", &file, 0);
    let blocked = strategy(&doc, "blocked");
    let verdict = blocked["verdict"].as_str().unwrap();
    assert!(verdict.contains("unit 0 held its event loop for 0.6"), "{verdict}");
    assert!(blocked["figures"]["longest_step_s"].as_f64().unwrap() >= 0.5, "{blocked}");
    // The timeline shows it: the other two units were in flight, stuck
    // behind it, so the units' time adds up to about three blocks.
    let timeline = &blocked["runs"][0]["timeline"];
    assert_eq!(timeline["max_in_flight"], 3, "{timeline}");
    assert!(timeline["busy_s"].as_f64().unwrap() >= 1.5, "{timeline}");
    let awaits = strategy(&doc, "awaits");
    assert!(!awaits["verdict"].as_str().unwrap().contains("held its event loop"), "{awaits}");
    assert!(awaits["figures"]["longest_step_s"].as_f64().unwrap() < 0.5, "{awaits}");
}

#[test]
fn the_timeout_ends_a_coroutine_that_waits_forever_and_leaves_nothing() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let code = "import asyncio\nasync def unit(unit, units):\n    await asyncio.sleep(3600)\n    return unit";
    let after =
        "[[strategy]]\nkind = \"sequential\"\nlabel = \"after\"\nparams = { code = \"def unit(u, n): return u\" }\n";
    let file = python(dir.path(), "forever", 3, 1.0, code, &format!("{ASYNC}\n{after}"));
    let started = std::time::Instant::now();
    let doc = run_json("pya-forever", &file, 1);
    for label in ["async", "async-processes"] {
        let run = &strategy(&doc, label)["runs"][0];
        assert_eq!(run["cause"], "timed_out", "{label}: {run}");
    }
    assert_eq!(strategy(&doc, "after")["verified"], true);
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "took {:?}", started.elapsed());
    assert_eq!(common::processes_with_marker("pya-forever"), Vec::<u32>::new(), "processes left behind");
}

#[test]
fn each_strategy_refuses_the_other_kind_of_function_by_name() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let code = "async def unit(unit, units):\n    return unit\n\ndef plain(unit, units):\n    return unit";
    let rest = "[[strategy]]\nkind = \"processes\"\nworkers = 2\n\n\
                [[strategy]]\nkind = \"sequential\"\n\n\
                [[strategy]]\nkind = \"async\"\nparams = { function = \"plain\" }\n";
    let file = python(dir.path(), "kinds", 2, 30.0, code, rest);
    let doc = run_json("pya-kinds", &file, 1);
    for label in ["processes", "sequential"] {
        let run = &strategy(&doc, label)["runs"][0];
        assert_eq!(run["cause"], "aborted", "{label}: {run}");
        let problem = run["problem"].as_str().unwrap();
        assert!(problem.contains("`unit` is an `async def`") && problem.contains("`async-processes`"), "{problem}");
    }
    let run = &strategy(&doc, "async")["runs"][0];
    let problem = run["problem"].as_str().unwrap();
    assert!(problem.contains("`plain` is a plain `def`") && problem.contains("async def plain"), "{problem}");
}

#[test]
fn units_await_the_hosts_io_asyncio_streams_and_aiohttp() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let code = "import asyncio, runner, urllib.parse\n\
        async def host(unit, units, url):\n    await runner.sleep(0.01)\n    answer = await runner.get(url)\n    \
        return [answer.status, len(answer.body)]\n\n\
        async def streams(unit, units, url):\n    u = urllib.parse.urlsplit(url)\n    \
        reader, writer = await asyncio.open_connection(u.hostname, u.port)\n    \
        writer.write(f'GET / HTTP/1.1\\r\\nHost: {u.netloc}\\r\\nConnection: close\\r\\n\\r\\n'.encode())\n    \
        answer = await reader.read()\n    writer.close()\n    \
        return [int(answer.split(b' ')[1]), len(answer.partition(b'\\r\\n\\r\\n')[2])]\n\n\
        async def with_aiohttp(unit, units, url):\n    import aiohttp\n    \
        async with aiohttp.ClientSession() as session:\n        async with session.get(url) as response:\n            \
        return [response.status, len(await response.read())]\n\n\
        def verify(results):\n    return all(r == [200, 50] for r in results), f'{results[:2]}'\n\n\
        async def outside(unit, units, url):\n    return await asyncio.get_running_loop().run_in_executor(None, lambda: asyncio.run(runner.sleep(0)))";
    let mut rest = String::from("[server]\ndelay_ms = 20\nbody_bytes = 50\n\n");
    for (function, kind) in [
        ("host", "async"),
        ("host", "async-processes"),
        ("streams", "async"),
        ("streams", "async-processes"),
        ("with_aiohttp", "async"),
    ] {
        let workers = if kind == "async" { "" } else { "workers = 2\n" };
        rest += &format!(
            "[[strategy]]\nkind = \"{kind}\"\nlabel = \"{function} {kind}\"\n{workers}params = {{ function = \"{function}\" }}\n\n"
        );
    }
    rest += "[[strategy]]\nkind = \"async\"\nlabel = \"outside\"\nparams = { function = \"outside\" }\n";
    let file = python(dir.path(), "awaitables", 6, 30.0, code, &rest);
    let doc = run_json("pya-io", &file, 1);
    for label in
        ["host async", "host async-processes", "streams async", "streams async-processes", "with_aiohttp async"]
    {
        let s = strategy(&doc, label);
        assert_eq!(s["verified"], true, "{label}: {s}");
        // The embedded server counted every request (the host's client's too).
        assert_eq!(s["server_requests"], 6.0, "{label}: {s}");
    }
    // runner.get outside a unit's own tasks is refused with why.
    let outside = cause(strategy(&doc, "outside"));
    assert!(outside.contains("runner.sleep is for the `async def` unit functions"), "{outside}");
}

#[test]
fn generators_and_gather_overlap_the_lectures_five_requests() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/python/lecture_async.py");
    let text = format!(
        "[scenario]\nname = \"five\"\nrepeat = 1\nwarmup = 0\ntimeout = 30\n\n\
         [workload]\nplugin = \"python\"\nworkload = \"python\"\nunits = 1\n\n\
         [workload.params]\nfile = \"{}\"\nfunction = \"one_after_another\"\nverify = \"verify_requests\"\n\n\
         [[strategy]]\nkind = \"sequential\"\nlabel = \"in a row\"\n\n\
         [[strategy]]\nkind = \"sequential\"\nlabel = \"generators\"\nparams = {{ function = \"overlapped_by_generators\" }}\n\n\
         [[strategy]]\nkind = \"async\"\nlabel = \"gather\"\nparams = {{ function = \"gathered\" }}\n",
        demo.canonicalize().unwrap().display()
    );
    let doc = run_json("pya-five", &scenario(dir.path(), "five.toml", &text), 0);
    let wall = |label: &str| strategy(&doc, label)["wall_s"]["median"].as_f64().unwrap();
    for label in ["in a row", "generators", "gather"] {
        assert_eq!(strategy(&doc, label)["verdict"], "5 requests answered", "{label}");
    }
    // Five waits one after another against five overlapped: a wide ratio.
    assert!(wall("generators") * 3.0 < wall("in a row"), "{} vs {}", wall("generators"), wall("in a row"));
    assert!(wall("gather") * 3.0 < wall("in a row"), "{} vs {}", wall("gather"), wall("in a row"));
}

#[test]
fn show_output_lists_each_printed_line_with_its_worker_between_the_units() {
    let _one = serial();
    let dir = tempfile::tempdir().unwrap();
    let code = "import asyncio\n\
                async def unit(unit, units):\n    print('Sending request %d' % unit)\n    await asyncio.sleep(0.2)\n    \
                print('Got response from request %d' % unit)\n    return unit\n\n\
                def plain(unit, units):\n    print('plain %d' % unit)\n    return unit";
    let rest = format!("{ASYNC}\n[[strategy]]\nkind = \"threads\"\nworkers = 2\nparams = {{ function = \"plain\" }}\n");
    let file = python(dir.path(), "printed", 4, 30.0, code, &rest);
    let page = dir.path().join("page.html");
    let out = runner("pya-printed").arg(&file).arg("--show-output").arg("--report").arg(&page).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let section = |label: &str| {
        let start = text.find(&format!("{label} · what the median run printed")).unwrap_or_else(|| panic!("{text}"));
        text[start..].split("\n\n").next().unwrap().to_owned()
    };
    let forked = section("async-processes");
    // Two workers printed, each line with its worker; all sent before any answer.
    for unit in 0..4 {
        let worker = if unit < 2 { 0 } else { 1 };
        assert!(forked.contains(&format!("worker {worker}   │ Sending request {unit}")), "{forked}");
        assert!(forked.contains(&format!("worker {worker}   · unit {unit} ends")), "{forked}");
    }
    let last_sent = forked.rfind("Sending request").unwrap();
    assert!(forked.find("Got response").unwrap() > last_sent, "{forked}");
    assert!(section("threads").contains("│ plain 3"), "{text}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<details><summary>what it printed (8 lines"), "no listing in the page");
}
