//! CPU time of processes from `/proc/<pid>/stat`: utime + stime (fields 14 and 15), which
//! cover every thread of the process. Exited processes count as 0.

use std::time::Instant;

/// Clock ticks per second of `/proc` times (USER_HZ, 100 on Linux).
const USER_HZ: f64 = 100.0;

/// Sum of utime + stime of `pids`, in seconds.
pub fn seconds(pids: &[u32]) -> f64 {
    pids.iter().map(|&p| one(p)).sum()
}

fn one(pid: u32) -> f64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // The command name (field 2) may hold spaces: split after its closing parenthesis.
    let Some(after) = text.rsplit_once(')').map(|(_, a)| a) else {
        return 0.0;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    // `after` starts at field 3 (state): utime is field 14, stime field 15.
    let ticks = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<f64>().ok());
    match (ticks(14), ticks(15)) {
        (Some(u), Some(s)) => (u + s) / USER_HZ,
        _ => 0.0,
    }
}

/// The 1-minute load average, for the figures' notes.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// CPU seconds of `pids` and wall seconds between `start` and `stop`.
pub struct Span {
    pids: Vec<u32>,
    cpu0: f64,
    t0: Instant,
}

impl Span {
    pub fn start(pids: &[u32]) -> Span {
        Span {
            pids: pids.to_vec(),
            cpu0: seconds(pids),
            t0: Instant::now(),
        }
    }

    /// (CPU seconds, wall seconds).
    pub fn stop(&self) -> (f64, f64) {
        (
            seconds(&self.pids) - self.cpu0,
            self.t0.elapsed().as_secs_f64(),
        )
    }
}
