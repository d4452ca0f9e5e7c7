//! `aiotsec board-sim`: the Verilated board ([`Board`]) behind a pseudo-terminal, so that the
//! serial backend, the CLI and the tests reach it exactly as they reach a board's UART.
//!
//! The pty's master side is ours; its slave side is the "serial port" whose path
//! [`BoardSim::path`] gives (the first line `board-sim` prints, `pty: /dev/pts/N`). We keep a
//! slave descriptor open ourselves (raw mode), so the pty survives hosts coming and going, and
//! read the host's baud rate from it (the termios speed a host sets with `serialport`): octets
//! the host writes are driven on the RX pin bit by bit at that rate, and the TX pin is decoded
//! at that rate, against the design's nominal rate ([`BoardConfig::nominal_baud`]). A host at
//! the wrong rate thus sees what it would see on a board: framing errors and garbage.
//!
//! Virtual time: while octets are moving or a command runs, the simulation runs flat out. While
//! the line and the design are idle, it sleeps in `poll` and, on waking, advances the design by
//! [`BoardConfig::idle_cycles_per_ms`] cycles per millisecond of wall time that passed (default
//! 5: the simulated board's TIMEOUT_CLKS of 2,560 cycles is then about 0.5 s of silence), so a
//! frame split over pauses of up to ~0.4 s is still taken, and a host gone for longer in the
//! middle of a frame gets ERR_TIMEOUT, as on a board whose timeout is 0.1 s.

use std::ffi::CStr;
use std::io;
use std::time::{Duration, Instant};

use super::bridge::{Board, BridgeSim};
use crate::error::EngineError;

/// How the board is simulated behind the pty.
#[derive(Debug, Clone)]
pub struct BoardConfig {
    /// The baud rate the design's UART runs at (a host at another rate sees garbage).
    pub nominal_baud: u32,
    /// Cycles of simulation per millisecond of wall time while idle.
    pub idle_cycles_per_ms: u64,
    /// Stop when standard input closes (else only when killed).
    pub watch_stdin: bool,
    /// Write the board's waveform to this VCD (large).
    pub vcd: Option<std::path::PathBuf>,
}

impl Default for BoardConfig {
    fn default() -> Self {
        Self {
            nominal_baud: crate::engine::serial::DEFAULT_BAUD,
            idle_cycles_per_ms: 5,
            watch_stdin: true,
            vcd: None,
        }
    }
}

/// Cycles after the last activity on the pins during which the simulation still runs flat out:
/// the bridge's silent work between a request and its response (checking the frame, clearing
/// its staging buffer: MAX_DATA + 2 cycles) must not be slowed to idle time. Four octet times
/// plus four times MAX_DATA, well under the bridge's timeout.
fn quiet_cycles() -> u64 {
    u64::from(BridgeSim::CLKS_PER_BIT) * 40 + 4 * u64::from(BridgeSim::MAX_DATA)
}

/// Cycles simulated between checks for activity while running flat out.
const CHUNK: u64 = 64;

/// The board behind a pty.
pub struct BoardSim {
    board: Board,
    cfg: BoardConfig,
    master: i32,
    slave: i32,
    path: String,
}

fn os_err(what: &str) -> EngineError {
    EngineError::Io(format!("{what}: {}", io::Error::last_os_error()))
}

impl BoardSim {
    /// Open a pty and the board behind it.
    pub fn new(cfg: BoardConfig) -> Result<Self, EngineError> {
        let mut board = Board::new(cfg.nominal_baud)?;
        if let Some(p) = &cfg.vcd {
            board.sim().open_vcd(p)?;
        }
        // SAFETY: plain libc calls on descriptors we own; ptsname_r writes into `name`.
        unsafe {
            let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
            if master < 0 {
                return Err(os_err("posix_openpt"));
            }
            if libc::grantpt(master) != 0 || libc::unlockpt(master) != 0 {
                let e = os_err("grantpt/unlockpt");
                libc::close(master);
                return Err(e);
            }
            let mut name = [0 as libc::c_char; 128];
            if libc::ptsname_r(master, name.as_mut_ptr(), name.len()) != 0 {
                let e = os_err("ptsname_r");
                libc::close(master);
                return Err(e);
            }
            let path = CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned();
            let slave = libc::open(
                name.as_ptr(),
                libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
            );
            if slave < 0 {
                let e = os_err("opening the pty's slave side");
                libc::close(master);
                return Err(e);
            }
            // raw: no echo of what we write back to the host, no line editing
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(slave, &mut t) == 0 {
                libc::cfmakeraw(&mut t);
                libc::tcsetattr(slave, libc::TCSANOW, &t);
            }
            // the design's own rate, until a host sets its own
            let mut t2: libc::termios2 = std::mem::zeroed();
            if libc::ioctl(slave, libc::TCGETS2, &mut t2) == 0 {
                t2.c_cflag = (t2.c_cflag & !libc::CBAUD) | libc::BOTHER;
                t2.c_ispeed = cfg.nominal_baud;
                t2.c_ospeed = cfg.nominal_baud;
                libc::ioctl(slave, libc::TCSETS2, &t2);
            }
            let fl = libc::fcntl(master, libc::F_GETFL);
            libc::fcntl(master, libc::F_SETFL, fl | libc::O_NONBLOCK);
            Ok(Self {
                board,
                cfg,
                master,
                slave,
                path,
            })
        }
    }

    /// The pty's slave side: the port to open.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Cycles the board has run.
    pub fn cycles(&mut self) -> u64 {
        self.board.sim().cycles()
    }

    /// The baud rate the host set on the port (its termios output speed).
    pub fn host_baud(&self) -> u32 {
        // SAFETY: TCGETS2 fills a termios2 on a tty descriptor we own.
        unsafe {
            let mut t: libc::termios2 = std::mem::zeroed();
            if libc::ioctl(self.slave, libc::TCGETS2, &mut t) == 0 && t.c_ospeed > 0 {
                return t.c_ospeed;
            }
        }
        self.cfg.nominal_baud
    }

    /// Serve until standard input closes (if watched) or a fatal error.
    pub fn serve(&mut self) -> Result<(), EngineError> {
        let mut idle_since = Instant::now();
        let mut last_nxcl = Instant::now();
        let mut buf = [0u8; 4096];
        loop {
            // a waveform write error (a full disk) ends board-sim with it
            self.board.sim().trace_error()?;
            let active = self.board.active(quiet_cycles());
            let mut fds = [
                libc::pollfd {
                    fd: self.master,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: 0,
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let nfds = if self.cfg.watch_stdin { 2 } else { 1 };
            let timeout = if active { 0 } else { 10 };
            // SAFETY: `fds` holds `nfds` valid pollfd entries.
            let r = unsafe { libc::poll(fds.as_mut_ptr(), nfds, timeout) };
            if r < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return Err(os_err("poll"));
            }
            if self.cfg.watch_stdin && fds[1].revents != 0 {
                // SAFETY: reading into our buffer from fd 0.
                let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
                if n <= 0 {
                    return Ok(());
                }
            }
            let baud = self.host_baud();
            if fds[0].revents & libc::POLLIN != 0 {
                // SAFETY: reading into our buffer from the master side.
                let n = unsafe { libc::read(self.master, buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    self.board.send(&buf[..n as usize], baud);
                }
            }
            if self.board.active(quiet_cycles()) {
                // flat out, in small steps, until the line and the design fall quiet (never
                // far past that: the bridge's timeout runs on these cycles too)
                let mut n = 0;
                while n < 8192 && self.board.active(quiet_cycles()) {
                    self.board.run(CHUNK, baud);
                    n += CHUNK;
                }
                idle_since = Instant::now();
            } else {
                let ms = idle_since.elapsed().as_millis() as u64;
                if ms > 0 {
                    self.board
                        .run(ms.saturating_mul(self.cfg.idle_cycles_per_ms), baud);
                    idle_since += Duration::from_millis(ms);
                }
                // A host killed while holding the port exclusively leaves TIOCEXCL set on the
                // pty (we keep it open): lift it now and then while idle.
                if last_nxcl.elapsed() > Duration::from_secs(1) {
                    // SAFETY: an ioctl without argument on our tty descriptor.
                    unsafe { libc::ioctl(self.slave, libc::TIOCNXCL) };
                    last_nxcl = Instant::now();
                }
            }
            let out = self.board.take_output();
            self.write_master(&out);
        }
    }

    /// Write to the host; octets nobody reads (no host, its buffer full) are lost, as on a line.
    fn write_master(&mut self, mut out: &[u8]) {
        let deadline = Instant::now() + Duration::from_millis(200);
        while !out.is_empty() && Instant::now() < deadline {
            // SAFETY: writing from our slice to the master side.
            let n = unsafe { libc::write(self.master, out.as_ptr().cast(), out.len()) };
            if n > 0 {
                out = &out[n as usize..];
            } else {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}

impl Drop for BoardSim {
    fn drop(&mut self) {
        self.board.sim().close_vcd();
        // SAFETY: closing descriptors we own, once.
        unsafe {
            libc::close(self.slave);
            libc::close(self.master);
        }
    }
}
