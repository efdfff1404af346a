"""Reading output that another process is still writing: only complete lines count.

A writer emits a line in more than one piece whenever it likes (a buffer boundary, a flush, a
second write() call), so a reader that re-reads while it is mid-line sees a partial last line:
json.loads on it raises, or a fragment such as '9693}' parses into nonsense. Only lines that end
with a newline are taken; an unterminated tail is kept until the rest of it arrives.

LineReader opens the file itself. Re-reading through the file object a child inherited
(Popen(stdout=f), then f.seek(0)) moves the offset the child writes at, and its next line then
overwrites the start of the file: that, not just a partial line, is how test_gunicorn flaked.
"""
from __future__ import annotations

import time
from typing import Callable, List, Tuple


def split_complete(data: bytes) -> Tuple[List[bytes], bytes]:
    """(the newline-terminated lines, without their newline; the unterminated rest)."""
    *lines, rest = data.split(b"\n")
    return lines, rest


class LineReader:
    """Follows a file another process appends to; each call returns the lines completed since."""

    def __init__(self, path):
        self.path = path
        self._file = None
        self._rest = b""

    def new_lines(self) -> List[str]:
        if self._file is None:
            try:
                self._file = open(self.path, "rb")
            except FileNotFoundError:
                return []
        lines, self._rest = split_complete(self._rest + self._file.read())
        # Decoded per line: a multi-byte character is never cut by a partial read.
        return [line.decode("utf-8") for line in lines]

    @property
    def pending(self) -> bytes:
        """What has been read of an unterminated last line (b"" when there is none)."""
        return self._rest

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> "LineReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def wait_for_lines(reader: LineReader, done: Callable[[List[str]], bool], timeout: float,
                   interval: float = 0.05) -> List[str]:
    """Collects complete lines until done(lines) holds or `timeout` seconds pass; returns them."""
    deadline = time.monotonic() + timeout
    lines: List[str] = []
    while True:
        lines += reader.new_lines()
        if done(lines) or time.monotonic() >= deadline:
            return lines
        time.sleep(interval)
