//! The lines a run's units printed, as their plugin reported them (`output`
//! events: the python plugin sends each line a unit prints), with the worker
//! and the run's time the run process stamped on them: shown beside the unit
//! bars by `--show-output` and in the HTML report. Display only: nothing is
//! graded on them, and a run keeps at most [`MAX_LINES`].

/// Lines kept per run; the rest are counted in [`Printed::dropped`].
pub(crate) const MAX_LINES: usize = 1000;

/// The custom event's name (the python plugin's `output::EVENT`).
pub(crate) const EVENT: &str = "output";

/// One printed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputLine {
    pub(crate) worker: u32,
    /// Run-clock time the run process saw it.
    pub(crate) t_ns: u64,
    /// `stdout` or `stderr`.
    pub(crate) stream: String,
    pub(crate) text: String,
}

/// A run's printed lines, in the order they came.
#[derive(Debug, Clone, Default)]
pub(crate) struct Printed {
    pub(crate) lines: Vec<OutputLine>,
    pub(crate) dropped: u64,
}

impl Printed {
    /// Takes in one `output` event's detail (`{"stream": …, "line": …}`);
    /// anything else is ignored.
    pub(crate) fn push(&mut self, worker: u32, t_ns: u64, detail: &serde_json::Value) {
        let (Some(stream), Some(text)) = (detail["stream"].as_str(), detail["line"].as_str()) else {
            return;
        };
        if self.lines.len() >= MAX_LINES {
            self.dropped += 1;
            return;
        }
        let stream = if stream == "stderr" { "stderr" } else { "stdout" }.to_owned();
        self.lines.push(OutputLine { worker, t_ns, stream, text: text.to_owned() });
    }
}
