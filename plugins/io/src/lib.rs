//! IO-bound workloads, each written once with a blocking and an async form
//! that do the same IO through the host: the host decides whether it blocks a
//! thread (sequential, threads, processes, pools) or runs on its runtime
//! (async strategies). The plugin itself has no runtime.

use std::time::Duration;

use runner_sdk::{HttpResponse, ParamSpec, Params, UnitContext, UnitFuture, Workload, export_plugin};

/// The lecture's `request(i)`: one second of waiting, like a slow server.
#[derive(Debug)]
struct Sleep {
    duration: Duration,
}

impl Workload for Sleep {
    const NAME: &'static str = "sleep";
    const DESCRIPTION: &'static str = "each unit waits `seconds` (the lecture's `time.sleep(1)` request): \
        5 units take 5 s in a row and 1 s overlapped; verifies that every unit woke up";
    const ASYNC: bool = true;

    fn params() -> Vec<ParamSpec> {
        vec![ParamSpec::float("seconds", 1.0, "how long each unit waits")]
    }

    fn prepare(params: &Params, _units: u64) -> Result<Self, String> {
        let seconds = params.float("seconds")?;
        Duration::try_from_secs_f64(seconds).map(|duration| Sleep { duration }).map_err(|e| format!("`seconds`: {e}"))
    }

    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        cx.sleep(self.duration);
        Ok(unit.to_string())
    }

    fn run_unit_async<'a>(&'a self, unit: u64, cx: UnitContext<'a>) -> UnitFuture<'a> {
        Box::pin(async move {
            cx.sleep_async(self.duration).await;
            Ok(unit.to_string())
        })
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let woke = results.iter().flatten().count();
        if woke == results.len() {
            Ok(format!("all {woke} units slept {:?} and woke up", self.duration))
        } else {
            Err(format!("{} of {} units did not finish", results.len() - woke, results.len()))
        }
    }
}

/// The lecture's downloads: GET one page per unit and check it.
#[derive(Debug)]
struct Download {
    url: String,
    expect_bytes: Option<usize>,
}

impl Download {
    fn page(&self, unit: u64) -> String {
        format!("{}/page/{unit}", self.url.trim_end_matches('/'))
    }

    /// The unit's outcome from the response: the lecture prints "N page is 383 bytes".
    fn check(&self, unit: u64, response: Result<HttpResponse, String>) -> Result<String, String> {
        let response = response?;
        if response.status != 200 {
            return Err(format!("HTTP {}", response.status));
        }
        match self.expect_bytes {
            Some(expected) if response.body.len() != expected => {
                Err(format!("page {unit} is {} bytes, expected {expected}", response.body.len()))
            }
            _ => Ok(response.body.len().to_string()),
        }
    }
}

impl Workload for Download {
    const NAME: &'static str = "download";
    const DESCRIPTION: &'static str = "each unit GETs `url`/page/<unit> and checks status 200 and the body length \
        (the lecture's 100 downloads); a failed download is that unit's failure, never fatal; verifies that every \
        page arrived";
    const ASYNC: bool = true;

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::string("url", "", "server base URL; filled in from the scenario's [server] when empty"),
            ParamSpec::int("expect_bytes", 383, "body length every page must have (-1: any)"),
        ]
    }

    fn prepare(params: &Params, _units: u64) -> Result<Self, String> {
        let url = params.string("url")?.to_owned();
        if url.is_empty() {
            return Err("no `url`: add a [server] table to the scenario, or set `url`".into());
        }
        let expect_bytes = usize::try_from(params.int("expect_bytes")?).ok();
        Ok(Download { url, expect_bytes })
    }

    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        self.check(unit, cx.http_get(&self.page(unit)))
    }

    fn run_unit_async<'a>(&'a self, unit: u64, cx: UnitContext<'a>) -> UnitFuture<'a> {
        Box::pin(async move { self.check(unit, cx.http_get_async(&self.page(unit)).await) })
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let arrived = results.iter().flatten().count();
        let bytes: usize = results.iter().flatten().filter_map(|r| r.parse::<usize>().ok()).sum();
        if arrived == results.len() {
            Ok(format!("all {arrived} pages arrived, {bytes} bytes in all"))
        } else {
            Err(format!("{} of {} downloads failed", results.len() - arrived, results.len()))
        }
    }
}

export_plugin! {
    name: "io",
    description: "IO-bound work: the lecture's downloads and one-second requests",
    workloads: [Sleep, Download],
}
