"""A bounded load client: N threads, each with its own keep-alive connection.

Every client sends a fixed number of warm-up requests, waits for the others, then a fixed
number of measured ones; the latency of each measured request is kept."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.report import median, percentile

CLIENTS = 16
WARMUP = 20
REQUESTS = 150


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    seconds: float = 0.0  # wall time of the measured phase
    errors: int = 0  # answers other than 200
    dropped: int = 0  # keep-alive connections the server closed under us (retried on a new one)
    failures: list[str] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return median(self.latencies)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def hammer(
    port: int,
    path: str,
    headers: Mapping[str, str] | None = None,
    *,
    clients: int = CLIENTS,
    warmup: int = WARMUP,
    requests: int = REQUESTS,
) -> Load:
    result = Load()
    lock = threading.Lock()
    marks: dict[str, float] = {}
    barrier = threading.Barrier(
        clients, action=lambda: marks.setdefault("start", time.perf_counter())
    )
    ends: list[float] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        errors = dropped = 0
        try:
            for i in range(warmup + requests):
                if i == warmup:
                    barrier.wait(timeout=300)
                started = time.perf_counter()
                try:
                    conn.request("GET", path, headers=dict(headers or {}))
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    conn.close()  # reconnects on the next request
                    dropped += 1
                    continue
                elapsed = time.perf_counter() - started
                if status != 200:
                    errors += 1
                elif i >= warmup:
                    mine.append(elapsed)
            finished = time.perf_counter()
        except threading.BrokenBarrierError:
            return
        except Exception as exc:
            barrier.abort()
            with lock:
                result.failures.append(f"{type(exc).__name__}: {exc}")
            return
        finally:
            conn.close()
            with lock:
                result.errors += errors
                result.dropped += dropped
        with lock:
            result.latencies.extend(mine)
            ends.append(finished)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if result.failures or not result.latencies:
        raise RuntimeError(f"load on {path} failed: {result.failures or 'no successful request'}")
    result.seconds = max(ends) - marks["start"]
    return result
