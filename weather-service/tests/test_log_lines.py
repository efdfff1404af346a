"""log_lines: complete lines only, from a file another process is writing right now."""
import json
import subprocess
import sys
import time

from log_lines import LineReader, split_complete, wait_for_lines


def test_split_complete_keeps_the_partial_last_line_apart():
    lines, rest = split_complete(b'{"pid":1}\n{"pid":29693}\n{"pid":2')
    assert lines == [b'{"pid":1}', b'{"pid":29693}']
    assert rest == b'{"pid":2'
    assert split_complete(b"") == ([], b"")
    assert split_complete(b"a\n") == ([b"a"], b"")


def test_a_partial_line_is_returned_once_its_newline_arrives(tmp_path):
    path = tmp_path / "log"
    with open(path, "ab", buffering=0) as w, LineReader(path) as r:
        w.write(b'{"n": 1}\n{"n": 2, "pid": 2')
        assert r.new_lines() == ['{"n": 1}']
        assert r.new_lines() == []  # '{"n": 2, "pid": 2' is not a line yet
        assert r.pending == b'{"n": 2, "pid": 2'
        w.write(b'9693}\n')
        assert [json.loads(line) for line in r.new_lines()] == [{"n": 2, "pid": 29693}]


def test_a_multibyte_character_cut_by_a_read_is_not_garbled(tmp_path):
    path = tmp_path / "log"
    data = "Zürich\n".encode()
    with open(path, "ab", buffering=0) as w, LineReader(path) as r:
        w.write(data[:2])  # ends inside "ü"
        assert r.new_lines() == []
        w.write(data[2:])
        assert r.new_lines() == ["Zürich"]


def test_a_file_that_does_not_exist_yet_has_no_lines(tmp_path):
    with LineReader(tmp_path / "later") as r:
        assert r.new_lines() == []
        (tmp_path / "later").write_text("first\n")
        assert r.new_lines() == ["first"]


# A second process writes each JSON line in two pieces with a pause in the middle, to its stdout
# file (inherited, like gunicorn's), while this one keeps reading: the partial line is there on
# purpose most of the time.
WRITER = r"""
import json, os, sys, time
for i in range(int(sys.argv[1])):
    line = (json.dumps({"i": i, "pad": "x" * (i % 7), "pid": 29693}) + "\n").encode()
    os.write(1, line[:len(line) // 2])
    time.sleep(0.002)
    os.write(1, line[len(line) // 2:])
"""


def test_following_a_live_writer_never_sees_a_partial_line_nor_disturbs_it(tmp_path):
    path, n = tmp_path / "out", 150
    with open(path, "ab") as out:
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(n)], stdout=out)
    records, partial_seen = [], 0
    with LineReader(path) as r:
        while writer.poll() is None:
            records += [json.loads(line) for line in r.new_lines()]  # raises on a partial line
            partial_seen += bool(r.pending)
            time.sleep(0.001)
        records += [json.loads(line) for line in r.new_lines()]
    assert writer.wait() == 0
    assert partial_seen > 0  # it really read while a line was half written
    assert [rec["i"] for rec in records] == list(range(n))
    # The writer's own file is intact: the reader never moved the offset it writes at.
    assert [json.loads(line)["i"] for line in path.read_text().splitlines()] == list(range(n))


def test_wait_for_lines_returns_as_soon_as_done_and_what_it_has_at_the_timeout(tmp_path):
    path = tmp_path / "log"
    path.write_text("a\nb\nc")
    with LineReader(path) as r:
        assert wait_for_lines(r, lambda got: len(got) >= 1, timeout=5) == ["a", "b"]
    with LineReader(path) as r:
        started = time.monotonic()
        assert wait_for_lines(r, lambda got: len(got) >= 3, timeout=0.3) == ["a", "b"]
        assert time.monotonic() - started >= 0.3
