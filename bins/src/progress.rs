//! Progress bars and spinners (indicatif), drawn on stderr and only when
//! stderr is a terminal and the user did not ask for quiet output.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

fn enabled(show: bool) -> bool {
    show && std::io::stderr().is_terminal()
}

/// A spinner with a message; hidden unless `show` and stderr is a TTY.
#[must_use]
pub fn spinner(show: bool, message: impl Into<String>) -> ProgressBar {
    if !enabled(show) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.into());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// A bar counting `len` items; hidden unless `show` and stderr is a TTY.
#[must_use]
pub fn bar(show: bool, len: u64, message: impl Into<String>) -> ProgressBar {
    if !enabled(show) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message.into());
    bar
}
