"""Start one tool, wait for it, and write its wall time and resource usage to a file.

Run as `python -I -S launch.py RESULT_FILE ARGV...` by measure.py. A child's peak RSS as the
kernel reports it is never below the peak of the process that started it (the parent's memory
high-water mark is carried into the child at exec), so the tool is started from this small
interpreter rather than from the benchmark itself: the floor is about 8 MiB instead of the
benchmark's own size. Only built-in modules are imported, to keep it that small.
"""

import os
import sys
import time

EXIT_NOT_FOUND = 127


def main() -> int:
    result_file, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ)
    except OSError as exc:
        print(f"launch: cannot start {argv[0]}: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    with open(result_file, "w", encoding="ascii") as stream:
        stream.write(
            f"{wall!r} {usage.ru_utime!r} {usage.ru_stime!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
