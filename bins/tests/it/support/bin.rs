//! Running a binary of this package the way a test needs it: by name, with
//! none of the environment that could redirect it, stdin closed, killed if
//! the test lets go of it, and within a deadline (a hung run fails its test
//! instead of stalling the suite). The result is its exit code and its
//! output as text, with the few questions tests ask of it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};

/// Longest a run may take unless the test says otherwise.
pub(crate) const DEADLINE: Duration = Duration::from_secs(180);

/// The directory cargo builds every binary of the package into before it
/// runs the integration tests.
fn bin_dir() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_setup-agent-where"))
        .parent()
        .expect("binary directory")
}

/// The executable of binary `name` (it may not exist: see [`package_binaries`]).
pub(crate) fn executable(name: &str) -> PathBuf {
    bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The binaries of the package, sorted: one per `bins/src/bin/*.rs`.
pub(crate) fn package_binaries() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("bins/src/bin is readable")
        .map(|e| e.expect("directory entry"))
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".rs"))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// A run to make: `Bin::new("routing-stats").args([…]).database(db.url()).run().await`.
/// Arguments keep the order they are given in.
pub(crate) struct Bin {
    what: String,
    command: tokio::process::Command,
    deadline: Duration,
}

impl Bin {
    /// Binary `name` of this package.
    pub(crate) fn new(name: &str) -> Bin {
        Bin::at(executable(name))
    }

    /// Any executable (e.g. this test binary, re-run as a child).
    pub(crate) fn at(program: impl AsRef<OsStr>) -> Bin {
        let program = program.as_ref();
        let mut command = tokio::process::Command::new(program);
        for var in agent_where::testing::redirecting_env() {
            command.env_remove(var);
        }
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(|k| k.starts_with("AGENT_WHERE_")) {
                command.env_remove(key);
            }
        }
        command.stdin(Stdio::null()).kill_on_drop(true);
        let what = Path::new(program).file_name().unwrap_or(program);
        Bin {
            what: what.to_string_lossy().into_owned(),
            command,
            deadline: DEADLINE,
        }
    }

    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Bin {
        self.what.push(' ');
        self.what.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub(crate) fn args<I, S>(self, args: I) -> Bin
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        args.into_iter().fold(self, Bin::arg)
    }

    /// `--database-url url`, at this place among the arguments.
    pub(crate) fn database(self, url: &str) -> Bin {
        self.args(["--database-url", url])
    }

    pub(crate) fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Bin {
        self.command.env(key, value);
        self
    }

    pub(crate) fn env_remove(mut self, key: &str) -> Bin {
        self.command.env_remove(key);
        self
    }

    /// Longest the run may take (default [`DEADLINE`]).
    pub(crate) fn timeout(mut self, deadline: Duration) -> Bin {
        self.deadline = deadline;
        self
    }

    /// Runs to the end; an error if it cannot start or outlives its deadline.
    pub(crate) async fn run(mut self) -> Result<Output> {
        let started = Instant::now();
        let out = tokio::time::timeout(self.deadline, self.command.output())
            .await
            .map_err(|_| anyhow!("`{}` ran longer than {:?}", self.what, self.deadline))?
            .with_context(|| format!("cannot run `{}`", self.what))?;
        Output::new(out, started.elapsed())
    }

    /// [`Bin::run`] for a test without a runtime.
    pub(crate) fn run_blocking(self) -> Result<Output> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(self.run())
    }

    /// Runs to the end with stdout a pipe whose reader is already gone (as
    /// `… | head -1` leaves it once `head` has read its line): every write to
    /// stdout fails with a broken pipe. The output has an empty stdout.
    pub(crate) async fn run_with_stdout_closed(mut self) -> Result<Output> {
        let (reader, writer) = std::io::pipe().context("cannot create a pipe")?;
        drop(reader);
        let started = Instant::now();
        let child = self
            .command
            .stdout(writer)
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{}`", self.what))?;
        let out = tokio::time::timeout(self.deadline, child.wait_with_output())
            .await
            .map_err(|_| anyhow!("`{}` ran longer than {:?}", self.what, self.deadline))?
            .with_context(|| format!("cannot run `{}`", self.what))?;
        Output::new(out, started.elapsed())
    }

    /// Starts it and hands it over, its output collected by [`Running::finish`].
    pub(crate) fn spawn(mut self) -> Result<Running> {
        let child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{}`", self.what))?;
        Ok(Running {
            what: self.what,
            child,
            started: Instant::now(),
        })
    }
}

/// A started binary.
pub(crate) struct Running {
    what: String,
    child: tokio::process::Child,
    started: Instant,
}

impl Running {
    /// Sends SIGKILL.
    pub(crate) fn kill(&mut self) -> Result<()> {
        self.child.start_kill().context("cannot kill")
    }

    /// Sends SIGTERM (as systemd or a container runtime stops a service).
    pub(crate) fn terminate(&self) -> Result<()> {
        let pid = self.child.id().context("the process has already ended")?;
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .context("cannot run kill")?;
        anyhow::ensure!(status.success(), "kill -TERM {pid} failed");
        Ok(())
    }

    /// Waits for the end (at most `limit`) and collects the output.
    pub(crate) async fn finish(self, limit: Duration) -> Result<Output> {
        let out = tokio::time::timeout(limit, self.child.wait_with_output())
            .await
            .map_err(|_| anyhow!("`{}` did not end within {limit:?}", self.what))??;
        Output::new(out, self.started.elapsed())
    }
}

/// A finished run: exit code (`None` when killed by a signal) and output.
#[derive(Debug)]
pub(crate) struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    /// Output that is not UTF-8 is an error: the binaries write text.
    fn new(out: std::process::Output, elapsed: Duration) -> Result<Output> {
        let text = |bytes: Vec<u8>, stream: &str| {
            String::from_utf8(bytes).map_err(|e| {
                anyhow!(
                    "{stream} is not UTF-8: {}",
                    String::from_utf8_lossy(e.as_bytes())
                )
            })
        };
        Ok(Output {
            code: out.status.code(),
            stdout: text(out.stdout, "stdout")?,
            stderr: text(out.stderr, "stderr")?,
            elapsed,
        })
    }

    /// Exit code and both streams, for assertion messages.
    pub(crate) fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Panics with the output unless the run exited with `code`.
    pub(crate) fn expect_code(&self, code: i32, what: &str) -> &Output {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: exit code\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// stdout parsed as JSON (panics with the output if it is not).
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// The line of stdout that starts with `prefix` (panics if none does).
    pub(crate) fn line(&self, prefix: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line `{prefix}`:\n{}", self.show()))
    }

    /// The first `error:` line on stderr (empty if there is none).
    pub(crate) fn error_line(&self) -> String {
        self.stderr
            .lines()
            .find(|l| l.contains(": error: "))
            .unwrap_or_default()
            .to_owned()
    }
}

/// Runs binary `name` with `args` and then `--database-url url`, within [`DEADLINE`].
pub(crate) async fn run(name: &str, url: &str, args: &[&str]) -> Result<Output> {
    Bin::new(name).args(args).database(url).run().await
}
