//! What Linux's `/proc` says about this process: its memory, and the TCP
//! connections to and from one port. Read between rounds of the mock load.

use std::io;

use serde::{Deserialize, Serialize};

/// The process's memory, from `/proc/self/status`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Memory {
    /// Resident set size now (`VmRSS`), KiB.
    pub rss_kib: u64,
    /// Highest resident set size so far (`VmHWM`), KiB.
    pub hwm_kib: u64,
}

/// Reads [`Memory`] of this process.
pub fn memory() -> io::Result<Memory> {
    memory_of("self")
}

/// Reads [`Memory`] of the process `pid` (`self`: this one).
pub fn memory_of(pid: &str) -> io::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .ok_or_else(|| io::Error::other(format!("no {name} in /proc/{pid}/status")))
    };
    Ok(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

/// TCP sockets to and from one port on this machine, from `/proc/net/tcp`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Connections {
    /// Established sockets whose peer is the port: the client's connections.
    pub client_established: usize,
    /// Established sockets on the port itself: the connections the server
    /// accepted.
    pub server_established: usize,
    /// Sockets of either side in any other state but `LISTEN` (mostly
    /// `TIME_WAIT`): connections closed in the last minute or so.
    pub closing: usize,
}

/// Counts the [`Connections`] that involve `port` on 127.0.0.1 (IPv4 only,
/// as the mock listens on 127.0.0.1).
pub fn connections(port: u16) -> io::Result<Connections> {
    const ESTABLISHED: &str = "01";
    const LISTEN: &str = "0A";
    let table = std::fs::read_to_string("/proc/net/tcp")?;
    let port_of = |address: &str| {
        address
            .rsplit_once(':')
            .and_then(|(_, hex)| u16::from_str_radix(hex, 16).ok())
    };
    let mut counts = Connections::default();
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, remote, state, ..] = fields[..] else {
            continue;
        };
        let (local, remote) = (port_of(local), port_of(remote));
        match (local == Some(port), remote == Some(port), state) {
            (false, false, _) | (_, _, LISTEN) => {}
            (false, true, ESTABLISHED) => counts.client_established += 1,
            (true, false, ESTABLISHED) => counts.server_established += 1,
            _ => counts.closing += 1,
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_is_read_from_proc() {
        let memory = memory().unwrap();
        assert!(memory.rss_kib > 0);
        assert!(memory.hwm_kib >= memory.rss_kib);
    }
}
