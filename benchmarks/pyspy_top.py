"""A short text summary of a py-spy profile in raw (collapsed stack) format: where the samples went.

    .venv/bin/python benchmarks/pyspy_top.py profile.raw > benchmarks/profiles/name.txt

Prints the share of samples per thread kind (event loop or worker thread), the functions with the most
samples of their own (self), and cowork's own functions and the libraries' entry points with the most
samples including what they call (inclusive). py-spy counts the database threads waiting for work
(`Condition.wait` in the thread pool) as active: those samples are counted apart, and a share is of the
other samples (the server running Python or in a system call).
"""

from __future__ import annotations

import re
import sys
from collections import Counter

FRAME = re.compile(r"^(?P<name>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")
IDLE = ("Condition.wait (threading.py)", "_worker (concurrent/futures/thread.py)")
WATCH = ("cowork/", "socketio/", "engineio/", "starlette/", "fastapi/", "jinja2/", "sqlalchemy/", "limits/")


def label(frame: str) -> str:
    found = FRAME.match(frame)
    return f"{found['name']} ({found['file']})" if found else frame


def main(path: str, top: int = 25) -> None:
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = idle = 0
    with open(path) as f:
        for line in f:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            frames = [label(frame) for frame in stack.split(";")]
            if frames[-1].startswith(IDLE):
                idle += count
                continue
            total += count
            threads["worker thread" if any("threading.py" in f for f in frames[:3]) else "event loop"] += (
                count
            )
            self_time[frames[-1]] += count
            for frame in set(frames):
                if any(w in frame for w in WATCH):
                    inclusive[frame] += count
    print(f"{total} samples from {path.rsplit('/', 1)[-1]} ({idle} more of idle pool threads left out)\n")
    for name, count in threads.most_common():
        print(f"{count / total:6.1%}  {name}")
    print(f"\nself (the function itself, not what it calls), top {top}:")
    for name, count in self_time.most_common(top):
        print(f"{count / total:6.1%}  {name}")
    print(f"\ninclusive (with what it calls), cowork and its libraries, top {top * 2}:")
    for name, count in inclusive.most_common(top * 2):
        print(f"{count / total:6.1%}  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
