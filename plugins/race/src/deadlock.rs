//! The lecture's deadlock (a non-reentrant lock taken twice by one thread),
//! the classic two-lock one (opposite orders), and their fixes.

use std::time::Duration;

use runner_sdk::{ParamSpec, Params, UnitContext, Workload};

use crate::lock::{Me, NamedLock, WaitGraph};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Takes `a`, then `a` again: a non-reentrant lock waits for itself.
    Relock,
    /// The fix: a reentrant lock (`threading.RLock`).
    Reentrant,
    /// Even units take `a` then `b`, odd units `b` then `a`.
    LockOrder,
    /// The fix: every unit takes `a` before `b`.
    Ordered,
}

#[derive(Debug)]
pub struct Deadlock {
    mode: Mode,
    hold: Duration,
    a: NamedLock,
    b: NamedLock,
    graph: WaitGraph,
}

impl Workload for Deadlock {
    const NAME: &'static str = "deadlock";
    const DESCRIPTION: &'static str = "takes locks in a way that deadlocks (`relock`, `lock-order`) or its fix \
        (`reentrant`, `ordered`); a deadlock is detected within a second and ends the run, naming the threads \
        and locks involved";

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::string("mode", "relock", "relock, reentrant, lock-order or ordered"),
            ParamSpec::int("hold_ms", 20, "how long a unit holds its first lock before taking the second"),
        ]
    }

    fn prepare(params: &Params, _units: u64) -> Result<Self, String> {
        let mode = match params.string("mode")? {
            "relock" => Mode::Relock,
            "reentrant" => Mode::Reentrant,
            "lock-order" => Mode::LockOrder,
            "ordered" => Mode::Ordered,
            other => return Err(format!("`mode` is `{other}`; expected relock, reentrant, lock-order or ordered")),
        };
        let hold = Duration::from_millis(u64::try_from(params.int("hold_ms")?).unwrap_or(0));
        let reentrant = mode == Mode::Reentrant;
        Ok(Deadlock {
            mode,
            hold,
            a: NamedLock::new("a", reentrant),
            b: NamedLock::new("b", reentrant),
            graph: WaitGraph::default(),
        })
    }

    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        let me = Me::current(unit, cx);
        let locks = [&self.a, &self.b];
        let (first, second) = match self.mode {
            Mode::Relock | Mode::Reentrant => (&self.a, &self.a),
            Mode::LockOrder if unit % 2 == 1 => (&self.b, &self.a),
            Mode::LockOrder | Mode::Ordered => (&self.a, &self.b),
        };
        first.acquire(&me, &self.graph, &locks, cx);
        // Hold it a while, so that the other unit takes its first lock too.
        cx.sleep(self.hold);
        second.acquire(&me, &self.graph, &locks, cx);
        second.release();
        first.release();
        Ok(format!("took `{}` then `{}`", first.name, second.name))
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let done = results.iter().flatten().count();
        if done == results.len() {
            Ok(format!("all {done} units took both locks and finished: no deadlock"))
        } else {
            Err(format!("{} of {} units did not finish", results.len() - done, results.len()))
        }
    }
}
