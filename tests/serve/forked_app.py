"""A small app served by ``PanelProcesses``, run as its own process by the tests: the forking
must not happen inside the test runner.

``python -m tests.serve.forked_app LAUNCHES`` prints the first process's id and the address,
then serves. ``/pid`` answers the serving process's id; ``POST /launch`` calls the sync launcher
and answers the same; the launcher (run in the first process only) appends its process id and
trigger to the file LAUNCHES.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import create_engine

from bridge.serve.processes import PanelProcesses, address_of, listening_socket


def app_writing_to(launches: Path) -> Flask:
    app = Flask(__name__)

    def launch(trigger: str) -> None:
        with launches.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {trigger}\n")

    app.config["BRIDGE_LAUNCH_SYNC"] = launch

    @app.get("/pid")
    def pid() -> str:
        return str(os.getpid())

    @app.post("/launch")
    def launch_now() -> str:
        current_app.config["BRIDGE_LAUNCH_SYNC"]("panel")
        return str(os.getpid())

    return app


def main() -> None:
    launches = Path(sys.argv[1])
    engine = create_engine("sqlite://")
    listener = listening_socket("127.0.0.1", 0)
    panel = PanelProcesses(app_writing_to(launches), engine, listener, processes=3, threads=2)
    panel.fork()
    print(os.getpid(), address_of(listener), flush=True)
    panel.serve()


if __name__ == "__main__":
    main()
