//! What BENCHMARKS.md says about the machine: cores, CPU, and how busy it was.

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// `2 cores (AMD EPYC), rustc 1.95.0 (...)`.
pub fn describe() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "CPU model unknown".to_owned());
    let rustc = std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {rustc}")
}

/// Load average at one moment.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Samples, once a second until dropped, how many compilers that this run did
/// not start are running: other work on the machine disturbs every timing.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<usize>>>,
}

impl Sampler {
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                samples.push(foreign_compilers());
                std::thread::sleep(Duration::from_secs(1));
            }
            samples
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }

    /// E.g. "other rustc processes running in 12% of 390 one-second samples (at most 2 at once)".
    pub fn finish(mut self) -> String {
        self.stop.store(true, Ordering::Relaxed);
        let samples = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        let busy = samples.iter().filter(|&&n| n > 0).count();
        let most = samples.iter().copied().max().unwrap_or(0);
        format!(
            "rustc processes not started by this run were running in {}% of {} one-second samples (at most {most} at once)",
            (busy * 100).checked_div(samples.len()).unwrap_or(0),
            samples.len(),
        )
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// rustc processes that are not descendants of this process.
fn foreign_compilers() -> usize {
    let me = std::process::id();
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|&pid| {
            fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "rustc")
        })
        .filter(|&pid| !descends_from(pid, me))
        .count()
}

fn descends_from(mut pid: u32, ancestor: u32) -> bool {
    // A chain of parents is short; the bound guards against a reused pid loop.
    for _ in 0..64 {
        if pid == ancestor {
            return true;
        }
        match parent(pid) {
            Some(p) if p > 1 => pid = p,
            _ => return false,
        }
    }
    false
}

/// The parent pid, from `/proc/<pid>/stat` ("pid (comm) state ppid ...";
/// comm may contain spaces, so read after its closing parenthesis).
fn parent(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_reads_proc_like_the_os_does() {
        let me = std::process::id();
        assert_eq!(parent(me), Some(std::os::unix::process::parent_id()));
        assert!(descends_from(me, std::os::unix::process::parent_id()));
        assert!(!descends_from(std::os::unix::process::parent_id(), me));
    }
}
