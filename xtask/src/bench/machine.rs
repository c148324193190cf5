//! What BENCHMARKS.md says about the machine: cores, CPU, and how busy it was.

use std::fs;

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

/// Load average and other compilers running, to tell a quiet run from a busy one.
pub struct Load {
    average: String,
    rustc: usize,
}

impl Load {
    pub fn now() -> Self {
        let average = fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|_| "unknown".to_owned());
        Self {
            average,
            rustc: processes_named("rustc"),
        }
    }

    pub fn describe(&self, when: &str) -> String {
        format!(
            "load average {} {when} with {} rustc process(es) running",
            self.average, self.rustc
        )
    }
}

fn processes_named(name: &str) -> usize {
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter(|e| fs::read_to_string(e.path().join("comm")).is_ok_and(|comm| comm.trim() == name))
        .count()
}
