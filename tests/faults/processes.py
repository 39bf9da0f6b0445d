"""Real `tally` processes for the fault tests: started with a shared environment, waited for
(``/ready`` or their start-up line), stopped politely or killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.redis_server import free_port


class TallyProcess:
    def __init__(self, name: str, args: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self.log = self.log_path.open("w")
        tally = str(Path(sys.executable).with_name("tally"))
        self.process = subprocess.Popen(
            [tally, *args], env={**os.environ, **env}, stdout=self.log, stderr=self.log
        )

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    async def printed(self, line: str, within: float = 60) -> None:
        for _ in range(int(within * 10)):
            if line in self.output():
                return
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} never printed {line!r}:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no acknowledgement, whatever it was doing."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()


class Server(TallyProcess):
    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(name, ["serve", "--port", str(self.port)], env, workdir)

    async def ready(self, within: float = 90) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(int(within * 10)):
                try:
                    if (await client.get(f"{self.url}/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not become ready:\n{self.output()[-3000:]}")
