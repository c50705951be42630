"""The toolkit's worker for bench/batch_export.py: `huey_consumer batch_worker.huey` (bench/ on the path), writing
each worker process's memory (resident set, KB) after every report it makes to BENCH_MEMORY_LOG."""

from __future__ import annotations

import os

import common  # noqa: F401 (puts the checkout on the path)

from csptoolkit import tasks, worker

huey = worker.huey


def resident_kb() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


@huey.post_execute()
def _memory(task, value, exception) -> None:
    if isinstance(task, tasks.make_export_item.task_class):
        with open(os.environ["BENCH_MEMORY_LOG"], "a") as handle:
            handle.write(f"{os.getpid()} {resident_kb()}\n")
