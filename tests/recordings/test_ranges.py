"""HTTP Range on a permission-checked file: parsing at every edge, and the responses."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from recordings import ranges
from recordings.ranges import ByteRange, Unsatisfiable, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    "header, expected",
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=999-999", ByteRange(999, 999)),
        ("bytes=500-", ByteRange(500, 999)),
        ("bytes=0-", ByteRange(0, 999)),
        ("bytes=-1", ByteRange(999, 999)),
        ("bytes=-100", ByteRange(900, 999)),
        ("bytes=-1000", ByteRange(0, 999)),
        ("bytes=-5000", ByteRange(0, 999)),  # suffix longer than the file: all of it
        ("bytes=900-5000", ByteRange(900, 999)),  # last past the end is clamped
        ("bytes=0-999", ByteRange(0, 999)),
        ("BYTES=1-2", ByteRange(1, 2)),  # the unit is case-insensitive
        ("bytes = 1 - 2 ", ByteRange(1, 2)),  # optional whitespace
        ("bytes=10-20,", ByteRange(10, 20)),  # an empty list element is allowed
        ("bytes=007-010", ByteRange(7, 10)),
    ],
)
def test_satisfiable_ranges(header, expected):
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=-",
        "items=0-10",  # another unit: ignored
        "0-10",  # no unit
        "bytes=abc",
        "bytes=1-2-3",
        "bytes=5-1",  # last before first: an invalid spec, the header is ignored
        "bytes=-1-2",
        "bytes=0x10-20",
        "bytes=0-10,20-30",  # several ranges: answered with the whole file
        "bytes=0-10, 5-",
    ],
)
def test_ignored_headers_mean_the_whole_file(header):
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-1000", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header):
    with pytest.raises(Unsatisfiable):
        parse_range(header, SIZE)


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=-1", "bytes=0-0"])
def test_nothing_is_satisfiable_in_an_empty_file(header):
    with pytest.raises(Unsatisfiable):
        parse_range(header, 0)


def test_content_range_and_length():
    byte_range = ByteRange(10, 19)
    assert byte_range.length == 10
    assert byte_range.content_range(SIZE) == "bytes 10-19/1000"


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "audio.wav"
    path.write_bytes(bytes(range(256)) * 4000)  # 1,024,000 bytes: several blocks
    return path


def _get(path, header=None):
    request = RequestFactory().get("/audio", headers={"Range": header} if header else {})
    return ranges.file_response(request, path, content_type="audio/wav")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_no_range_is_200_with_the_whole_file(data_file):
    response = _get(data_file)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert int(response["Content-Length"]) == data_file.stat().st_size
    assert response["Content-Type"] == "audio/wav"
    assert "no-store" in response["Cache-Control"]
    assert _body(response) == data_file.read_bytes()


@pytest.mark.parametrize(
    "header, start, end",
    [("bytes=0-1", 0, 1), ("bytes=100000-", 100000, 1023999), ("bytes=-10", 1023990, 1023999),
     ("bytes=65535-65537", 65535, 65537), ("bytes=0-999999999", 0, 1023999)],
)  # fmt: skip
def test_a_range_is_206_with_exactly_those_bytes(data_file, header, start, end):
    response = _get(data_file, header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/1024000"
    assert int(response["Content-Length"]) == end - start + 1
    assert _body(response) == data_file.read_bytes()[start : end + 1]


def test_a_range_past_the_end_is_416_naming_the_size(data_file):
    response = _get(data_file, "bytes=1024000-")
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024000"
    assert response.content == b""


def test_several_ranges_get_the_whole_file(data_file):
    response = _get(data_file, "bytes=0-1,5-6")
    assert response.status_code == 200
    assert _body(response) == data_file.read_bytes()


def test_a_range_is_streamed_in_blocks_not_read_whole(data_file):
    response = _get(data_file, "bytes=0-")
    chunks = list(response.streaming_content)
    assert len(chunks) > 1
    assert max(len(chunk) for chunk in chunks) <= ranges.BLOCK_BYTES


def test_the_segment_never_reads_past_its_end(data_file):
    with open(data_file, "rb") as handle:
        segment = ranges._Segment(handle, ByteRange(10, 14))
        assert segment.read(3) == data_file.read_bytes()[10:13]
        assert segment.read() == data_file.read_bytes()[13:15]
        assert segment.read(100) == b""
        assert not hasattr(segment, "fileno")  # so no server can sendfile() beyond it
