//! Real peers for Seatline's tests. Only loopback and the tests' own processes are targets.
