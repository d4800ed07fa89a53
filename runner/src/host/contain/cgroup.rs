//! One cgroup per run, made by the host before the run's process starts: it
//! bounds the memory and tasks of everything the run starts, accounts its
//! CPU time and peak memory from outside the run (figures the submission
//! cannot forge), and ends every process in it without a race, even those
//! that left the process group or forked their successors.
//!
//! Where: under the runner's own cgroup of each controller (read from
//! `/proc/self/cgroup`), in `runner/<pid>.<start time>-<n>`, so a runner in a
//! container or a limited session stays inside its own limits. cgroup v2
//! (`cgroup.kill`, `memory.max`…) when `/sys/fs/cgroup` is unified; else the
//! v1 controllers memory, pids, cpuacct and freezer, each where mounted.
//! A runner that was SIGKILLed leaves its groups behind: the next runner
//! start kills their tasks and removes them ([`remove_stale`]).
//!
//! Measured (v1 hybrid, kernel 6.18): joining costs the run ~5 ms, almost all
//! in the first `cgroup.procs` write (`strace -T`: 13.7 ms under strace; the
//! next three controllers ~25 µs each): the kernel waits for an RCU grace
//! period to take `cgroup_threadgroup_rwsem`. `clone3(CLONE_INTO_CGROUP)`
//! (v2 only) or the `favordynmods` mount option would avoid it.

use std::fs;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::machine::cgroup::{ROOT, V1_CONTROLLERS, own_path, read_u64, version};

/// How long the kill may take before the runner goes on (a task in
/// uninterruptible sleep may outlast it; the next start retries).
const KILL_PATIENCE: Duration = Duration::from_secs(5);

/// Figures the kernel kept for the run's cgroup: measured by the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CgroupFigures {
    /// CPU time of every task of the run, reaped or not.
    pub(crate) cpu_ns: Option<u64>,
    /// Highest memory use of the run as a whole (page cache included).
    pub(crate) peak_memory_bytes: Option<u64>,
    /// Times the memory limit was hit (allocation refused or reclaimed).
    pub(crate) memory_limit_hits: Option<u64>,
    /// Processes the kernel's OOM killer ended in the run: "out of memory".
    pub(crate) oom_kills: Option<u64>,
    /// Forks refused at pids.max: "too many processes".
    pub(crate) pids_limit_hits: Option<u64>,
    /// Tasks still alive after the run's process ended, killed since.
    pub(crate) killed_leftovers: u64,
    /// Every process of the run was in the group, and none is left: nothing
    /// of the run can be alive elsewhere (the host need not look in `/proc`).
    #[serde(skip)]
    pub(crate) emptied: bool,
}

#[derive(Debug)]
enum Layout {
    V2 { dir: PathBuf },
    V1 { dirs: Vec<(&'static str, PathBuf)> },
}

/// The cgroup of one run; removed (after killing what is left) when dropped.
#[derive(Debug)]
pub(crate) struct RunCgroup {
    layout: Layout,
    /// `cgroup.procs` of each directory, opened before the spawn so that the
    /// child only writes to them between fork and exec (async-signal-safe).
    procs: Vec<OwnedFd>,
    /// What each controller bounds, for the report.
    pub(crate) applied: Vec<(&'static str, Result<String, String>)>,
    killed: u64,
}

/// `<pid>.<start time in ticks>`: unique to this runner even after its pid is reused.
fn runner_id(pid: u32) -> Option<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let start = stat[stat.rfind(')')? + 2..].split_whitespace().nth(19)?.to_owned();
    Some(format!("{pid}.{start}"))
}

fn parent_dirs() -> Vec<(&'static str, PathBuf)> {
    if version() == Some("v2") {
        return own_path("").map(|p| vec![("", Path::new(ROOT).join(p).join("runner"))]).unwrap_or_default();
    }
    V1_CONTROLLERS
        .iter()
        .filter(|c| Path::new(ROOT).join(c).join("cgroup.procs").exists())
        .filter_map(|&c| Some((c, Path::new(ROOT).join(c).join(own_path(c)?).join("runner"))))
        .collect()
}

fn write_file(path: &Path, value: &str) -> Result<(), String> {
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|mut f| f.write_all(value.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn read_key(path: &Path, key: &str) -> Option<u64> {
    fs::read_to_string(path).ok()?.lines().find_map(|l| l.strip_prefix(key)?.trim().parse().ok())
}

fn pids_in(dir: &Path) -> Vec<i32> {
    fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

impl RunCgroup {
    /// Makes the run's group with `memory_bytes` and `tasks` as its limits.
    /// `Err` says why no group could be had (no cgroup fs, no right to make one).
    pub(crate) fn create(memory_bytes: u64, tasks: u64) -> Result<RunCgroup, String> {
        static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        static STALE: std::sync::Once = std::sync::Once::new();
        STALE.call_once(|| {
            let removed = remove_stale();
            if removed > 0 {
                tracing::info!("removed {removed} cgroup(s) left by runners that died");
            }
        });
        let parents = parent_dirs();
        if parents.is_empty() {
            return Err("no cgroup filesystem under /sys/fs/cgroup".into());
        }
        let me = std::process::id();
        let name = format!(
            "{}-{}",
            runner_id(me).ok_or("cannot read /proc/self/stat")?,
            SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut dirs = Vec::new();
        let mut errors = Vec::new();
        for (controller, parent) in parents {
            let dir = parent.join(&name);
            match fs::create_dir_all(&dir) {
                Ok(()) => dirs.push((controller, dir)),
                Err(e) => errors.push(format!("{}: {e}", dir.display())),
            }
        }
        let layout = if version() == Some("v2") {
            match dirs.pop() {
                Some((_, dir)) => Layout::V2 { dir },
                None => return Err(format!("cannot make a cgroup: {}", errors.join("; "))),
            }
        } else {
            if dirs.is_empty() {
                return Err(format!("cannot make a cgroup: {}", errors.join("; ")));
            }
            Layout::V1 { dirs }
        };
        let mut group = RunCgroup { layout, procs: Vec::new(), applied: Vec::new(), killed: 0 };
        group.set_limits(memory_bytes, tasks);
        let paths: Vec<PathBuf> = group.dirs().iter().map(|d| d.join("cgroup.procs")).collect();
        for path in paths {
            match fs::OpenOptions::new().write(true).open(&path) {
                Ok(f) => group.procs.push(f.into()),
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
        Ok(group)
    }

    fn dirs(&self) -> Vec<&Path> {
        match &self.layout {
            Layout::V2 { dir } => vec![dir.as_path()],
            Layout::V1 { dirs } => dirs.iter().map(|(_, d)| d.as_path()).collect(),
        }
    }

    fn dir_of(&self, controller: &str) -> Option<&Path> {
        match &self.layout {
            Layout::V2 { dir } => Some(dir),
            Layout::V1 { dirs } => dirs.iter().find(|(c, _)| *c == controller).map(|(_, d)| d.as_path()),
        }
    }

    fn set_limits(&mut self, memory_bytes: u64, tasks: u64) {
        let v2 = matches!(self.layout, Layout::V2 { .. });
        let memory = match self.dir_of("memory") {
            None => Err("no memory controller".to_owned()),
            Some(dir) if v2 => write_file(&dir.join("memory.max"), &memory_bytes.to_string()).map(|()| {
                // No swap beyond the limit; a kernel without swap accounting lacks the file.
                let _ = write_file(&dir.join("memory.swap.max"), "0");
                format!("memory.max {memory_bytes}")
            }),
            Some(dir) => write_file(&dir.join("memory.limit_in_bytes"), &memory_bytes.to_string()).map(|()| {
                let swap = write_file(&dir.join("memory.memsw.limit_in_bytes"), &memory_bytes.to_string()).is_ok();
                format!("memory.limit_in_bytes {memory_bytes}{}", if swap { " (swap included)" } else { "" })
            }),
        };
        self.applied.push(("cgroup_memory", memory));
        let pids = match self.dir_of("pids") {
            None => Err("no pids controller".to_owned()),
            Some(dir) => write_file(&dir.join("pids.max"), &tasks.to_string()).map(|()| format!("pids.max {tasks}")),
        };
        self.applied.push(("cgroup_pids", pids));
        let cpu = match self.dir_of("cpuacct") {
            Some(_) => Ok(if v2 { "cpu.stat usage_usec".into() } else { "cpuacct.usage".into() }),
            None => Err("no cpuacct controller: CPU time only from wait4 and /proc".to_owned()),
        };
        self.applied.push(("cgroup_cpu", cpu));
        let kill = if v2 {
            Ok("cgroup.kill".into())
        } else if self.dir_of("freezer").is_some() {
            Ok("freezer, then SIGKILL to every task".into())
        } else {
            Err("no freezer controller: tasks killed one by one, a forking chain may race".to_owned())
        };
        self.applied.push(("cgroup_kill", kill));
    }

    /// For `Command::pre_exec`: puts the calling (forked) process in the group.
    /// Only `write(2)` on descriptors opened before the fork: async-signal-safe.
    pub(crate) fn join_from_pre_exec(&self) -> impl Fn() -> std::io::Result<()> + Send + Sync + 'static {
        let fds: Vec<i32> = self.procs.iter().map(|f| f.as_raw_fd()).collect();
        move || {
            for &fd in &fds {
                // "0" is the writing process itself, in v1 and v2 alike.
                // SAFETY: write from a static buffer to an open descriptor.
                if unsafe { nix::libc::write(fd, b"0".as_ptr().cast(), 1) } != 1 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        }
    }

    /// Puts process `pid` in the group, from the host (the process may run
    /// meanwhile: see [`crate::protocol::JOINED`]).
    pub(crate) fn join_pid(&self, pid: i32) -> Result<(), String> {
        let text = pid.to_string();
        for fd in &self.procs {
            // SAFETY: write from a live buffer to a descriptor this group owns.
            let written = unsafe { nix::libc::write(fd.as_raw_fd(), text.as_ptr().cast(), text.len()) };
            if written != text.len() as isize {
                return Err(format!("cgroup.procs: {}", std::io::Error::last_os_error()));
            }
        }
        Ok(())
    }

    /// Kills every task in the group until none is left (or its patience
    /// ends); returns whether the group is empty.
    pub(crate) fn kill_all(&mut self) -> bool {
        let until = Instant::now() + KILL_PATIENCE;
        let mut killed = 0u64;
        let signal = |pids: &[i32]| {
            for &pid in pids {
                // SAFETY: kill with a pid read from the group and SIGKILL.
                unsafe { nix::libc::kill(pid, nix::libc::SIGKILL) };
            }
        };
        loop {
            // Each v1 controller lists the same tasks: count each once.
            let pids: std::collections::BTreeSet<i32> = self.dirs().iter().flat_map(|d| pids_in(d)).collect();
            let pids: Vec<i32> = pids.into_iter().collect();
            if pids.is_empty() || Instant::now() >= until {
                self.killed += killed;
                return pids.is_empty();
            }
            killed = killed.max(pids.len() as u64);
            match (&self.layout, self.dir_of("freezer")) {
                (Layout::V2 { dir }, _) => {
                    let _ = write_file(&dir.join("cgroup.kill"), "1");
                }
                (Layout::V1 { .. }, Some(freezer)) => {
                    // Frozen tasks cannot fork, so the list read is complete.
                    let state = freezer.join("freezer.state");
                    let _ = write_file(&state, "FROZEN");
                    let frozen_by = Instant::now() + Duration::from_millis(200);
                    while Instant::now() < frozen_by
                        && fs::read_to_string(&state).map(|s| s.trim() != "FROZEN").unwrap_or(false)
                    {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                    signal(&pids_in(freezer));
                    let _ = write_file(&state, "THAWED");
                }
                (Layout::V1 { .. }, None) => signal(&pids),
            }
            std::thread::sleep(Duration::from_micros(500));
        }
    }

    /// The kernel's figures for the run, read now (call after [`Self::kill_all`] for the final ones).
    pub(crate) fn figures(&self) -> CgroupFigures {
        let mut figures = CgroupFigures { killed_leftovers: self.killed, ..CgroupFigures::default() };
        match &self.layout {
            Layout::V2 { dir } => {
                figures.cpu_ns = read_key(&dir.join("cpu.stat"), "usage_usec").map(|us| us * 1000);
                figures.peak_memory_bytes = read_u64(&dir.join("memory.peak"));
                figures.memory_limit_hits = read_key(&dir.join("memory.events"), "max");
                figures.oom_kills = read_key(&dir.join("memory.events"), "oom_kill");
                figures.pids_limit_hits = read_key(&dir.join("pids.events"), "max");
            }
            Layout::V1 { .. } => {
                if let Some(d) = self.dir_of("cpuacct") {
                    figures.cpu_ns = read_u64(&d.join("cpuacct.usage"));
                }
                if let Some(d) = self.dir_of("memory") {
                    figures.peak_memory_bytes = read_u64(&d.join("memory.max_usage_in_bytes"));
                    figures.memory_limit_hits = read_u64(&d.join("memory.failcnt"));
                    figures.oom_kills = read_key(&d.join("memory.oom_control"), "oom_kill");
                }
                if let Some(d) = self.dir_of("pids") {
                    figures.pids_limit_hits = read_key(&d.join("pids.events"), "max");
                }
            }
        }
        figures
    }
}

impl Drop for RunCgroup {
    fn drop(&mut self) {
        self.kill_all();
        self.procs.clear();
        for dir in self.dirs() {
            remove_dir(dir);
        }
    }
}

/// rmdir, retried briefly: the last task's exit may still be under way.
fn remove_dir(dir: &Path) {
    let until = Instant::now() + Duration::from_secs(1);
    loop {
        match fs::remove_dir(dir) {
            Ok(()) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) if Instant::now() >= until => {
                tracing::warn!("could not remove cgroup {}: {e}", dir.display());
                return;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
}

/// Kills the tasks of, and removes, groups left by runners that are gone
/// (their `<pid>.<start time>` no longer names a live process). Returns how many.
pub(crate) fn remove_stale() -> usize {
    let mut removed = 0;
    for (controller, parent) in parent_dirs() {
        for entry in fs::read_dir(&parent).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((owner, _)) = name.split_once('-') else { continue };
            let alive =
                owner.split_once('.').and_then(|(pid, _)| runner_id(pid.parse().ok()?)).as_deref() == Some(owner);
            if alive {
                continue;
            }
            let dir = entry.path();
            let layout = if controller.is_empty() {
                Layout::V2 { dir: dir.clone() }
            } else {
                Layout::V1 { dirs: vec![(controller, dir.clone())] }
            };
            // The freezer's group may already be gone: a v1 kill without it
            // is a loop of SIGKILLs, fine for processes that cannot have
            // forked since their own group was frozen or killed.
            drop(RunCgroup { layout, procs: Vec::new(), applied: Vec::new(), killed: 0 });
            removed += 1;
        }
    }
    removed
}
