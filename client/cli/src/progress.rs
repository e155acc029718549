//! A progress line on standard error while a large record streams through the wallet, shown
//! only when standard error is a terminal (never in `--json` output or a pipe).

use std::{
	io::IsTerminal,
	pin::Pin,
	task::{Context, Poll},
	time::Instant,
};

use ehr_client::read::Output;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Counts bytes and redraws `label: done / total MiB (rate)` at most ten times a second.
pub struct Progress {
	label: &'static str,
	total: u64,
	done: u64,
	started: Instant,
	drawn: Instant,
	shown: bool,
}

impl Progress {
	/// A progress line for `total` bytes, drawn only on a terminal and for more than 4 MiB.
	pub fn new(label: &'static str, total: u64, json: bool) -> Progress {
		let now = Instant::now();
		Progress {
			label,
			total,
			done: 0,
			started: now,
			drawn: now,
			shown: !json && total > 4 << 20 && std::io::stderr().is_terminal(),
		}
	}

	fn add(&mut self, n: usize) {
		self.done += n as u64;
		if self.shown && (self.drawn.elapsed().as_millis() >= 100 || self.done >= self.total) {
			self.drawn = Instant::now();
			let mib = |b: u64| b as f64 / (1 << 20) as f64;
			let rate = mib(self.done) / self.started.elapsed().as_secs_f64().max(1e-3);
			eprint!(
				"\r{}: {:.1} / {:.1} MiB ({rate:.0} MiB/s)\x1b[K",
				self.label,
				mib(self.done),
				mib(self.total)
			);
		}
	}

	fn reset(&mut self) {
		self.done = 0;
	}
}

impl Drop for Progress {
	fn drop(&mut self) {
		if self.shown {
			eprint!("\r\x1b[K");
		}
	}
}

/// A reader or writer that advances a [`Progress`].
pub struct Counted<T> {
	pub inner: T,
	pub progress: Progress,
}

impl<R: AsyncRead + Unpin> AsyncRead for Counted<R> {
	fn poll_read(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &mut ReadBuf<'_>,
	) -> Poll<std::io::Result<()>> {
		let before = buf.filled().len();
		let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
		let n = buf.filled().len() - before;
		self.progress.add(n);
		polled
	}
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Counted<W> {
	fn poll_write(
		mut self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<std::io::Result<usize>> {
		let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
		if let Poll::Ready(Ok(n)) = polled {
			self.progress.add(n);
		}
		polled
	}

	fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		Pin::new(&mut self.inner).poll_flush(cx)
	}

	fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
		Pin::new(&mut self.inner).poll_shutdown(cx)
	}
}

#[async_trait::async_trait]
impl Output for Counted<tokio::fs::File> {
	async fn reset(&mut self) -> std::io::Result<()> {
		self.progress.reset();
		self.inner.reset().await
	}
}
