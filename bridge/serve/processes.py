"""The panel served by several processes that share one listening socket.

A Python process runs one thread of Python at a time, and its threads pay for taking turns:
with eight waitress threads in one process, a list page cost 12 ms of CPU under twenty clients
against 7 ms with one thread, as every database call hands the interpreter to another thread
(250 context switches a page). Two processes of four threads serve about twice the pages a
second of one process of eight on a two-core machine (``benchmarks/bench_panel.py``).

The first process keeps every job of its own (the scheduler, the syncs): it forks the others
before any thread starts, so none inherits a lock held by a thread it does not have. The panel's
"start it now" buttons (a sync, judging everything again, an export) call launchers that only
the first process can run, as only it has the scheduler: in the other processes they send the
request down a pipe, and a thread of the first process calls the real launcher. A panel process
that loses its parent stops itself; a stopping parent stops its panel processes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe, wait
from types import FrameType

import waitress
from flask import Flask
from sqlalchemy import Engine

log = logging.getLogger(__name__)

# The panel's launchers (``create_app`` and ``run_server`` put them in the app's config): each
# takes the name of what asked ("panel", "approval", ...) and starts a job in the background.
LAUNCHERS = ("BRIDGE_LAUNCH_SYNC", "BRIDGE_LAUNCH_REEVALUATION", "BRIDGE_LAUNCH_EXPORT")
STOP_SECONDS = 10  # how long a panel process may take to finish its requests when stopped


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening before the processes fork, so that they all accept from it."""
    family, kind, protocol, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, protocol)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(1024)
    return listener


def address_of(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


@dataclass
class _Child:
    pid: int
    channel: Connection  # the first process's end: launch requests arrive on it


@dataclass
class PanelProcesses:
    """``processes`` processes of ``threads`` waitress threads each, serving ``app`` from
    ``listener``. Call ``fork`` before this process starts any thread, then ``serve``."""

    app: Flask
    engine: Engine
    listener: socket.socket
    processes: int
    threads: int
    _children: list[_Child] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def fork(self) -> None:
        """Start the other panel processes; returns in the first process only."""
        if self.processes > 1 and threading.active_count() > 1:
            names = ", ".join(thread.name for thread in threading.enumerate())
            log.warning("forking the panel processes beside running threads: %s", names)
        for _ in range(self.processes - 1):
            ours, theirs = Pipe()
            pid = os.fork()
            if pid == 0:
                ours.close()
                for sibling in self._children:  # another child's pipe is none of ours
                    sibling.channel.close()
                self._children.clear()
                self._run_child(theirs)  # never returns
            theirs.close()
            self._children.append(_Child(pid, ours))
        if self._children:
            threading.Thread(target=self._relay, name="panel-launches", daemon=True).start()

    def serve(self, on_stop: Callable[[], None] = lambda: None) -> None:
        """Serve in this process until SIGTERM or SIGINT; then stop the other processes."""

        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s; stopping", signal.Signals(signum).name)
            on_stop()
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        server = waitress.create_server(self.app, sockets=[self.listener], threads=self.threads)
        log.info("panel on %s/ (%d processes)", address_of(self.listener), self.processes)
        try:
            server.run()
        finally:
            server.close()
            self._stop_children()

    def _relay(self) -> None:
        """The first process's side: run each launch a panel process asks for."""
        channels = {child.channel: child for child in self._children}
        while channels and not self._stopping.is_set():
            for ready in wait(list(channels)):
                assert isinstance(ready, Connection)
                try:
                    key, trigger = ready.recv()
                except (EOFError, OSError):
                    child = channels.pop(ready)
                    if not self._stopping.is_set():
                        log.error("panel process %d stopped; the others go on", child.pid)
                        _reaped(child.pid, 1)
                    continue
                launcher = self.app.config.get(key) if key in LAUNCHERS else None
                if callable(launcher):
                    try:
                        launcher(trigger)
                    except Exception:  # a failed launch must not end the relay
                        log.exception("launching %s for a panel process failed", key)

    def _stop_children(self) -> None:
        self._stopping.set()
        for child in self._children:
            _signal(child.pid, signal.SIGTERM)
        for child in self._children:
            if not _reaped(child.pid, STOP_SECONDS):
                _signal(child.pid, signal.SIGKILL)
                _reaped(child.pid, 1)

    def _run_child(self, channel: Connection) -> None:
        """A panel process: its own connections, its own waitress, launches sent up the pipe."""
        code = 0
        try:
            self.engine.dispose(close=False)  # the parent's connections stay the parent's
            sending = threading.Lock()
            for key in LAUNCHERS:
                if self.app.config.get(key) is not None:
                    self.app.config[key] = _Forwarder(key, channel, sending)
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, _exit_quietly)
            threading.Thread(target=_watch_parent, args=(channel,), daemon=True).start()
            server = waitress.create_server(self.app, sockets=[self.listener], threads=self.threads)
            try:
                server.run()
            finally:
                server.close()
        except SystemExit:
            pass
        except BaseException:
            log.exception("panel process %d failed", os.getpid())
            code = 1
        finally:
            logging.shutdown()
            os._exit(code)  # never back into the parent's code (the command line, its cleanup)


@dataclass
class _Forwarder:
    """A launcher in a panel process: asks the first process to launch."""

    key: str
    channel: Connection
    sending: threading.Lock

    def __call__(self, trigger: str) -> None:
        with self.sending:
            self.channel.send((self.key, trigger))


def _exit_quietly(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _watch_parent(channel: Connection) -> None:
    """The first process never writes: the pipe ends only when it is gone."""
    with contextlib.suppress(EOFError, OSError):
        channel.recv()
    os.kill(os.getpid(), signal.SIGTERM)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _reaped(pid: int, seconds: float) -> bool:
    """Whether ``pid`` exited within ``seconds`` (and was collected)."""
    for _ in range(int(seconds * 20) + 1):
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done:
            return True
        time.sleep(0.05)
    return False
