#!/usr/bin/env python3
"""Writes a copy of a data dir whose newest block has an edited meta.json.

Usage: mkcase.py SRC_DIR DST_DIR CASE   (mkcase.py --list prints the cases)

Each case edits the bytes of the last block's meta.json (by ULID order) as
below; regen.sh and tests/sh/tsdb_meta_golden.sh build the same dirs (with an
empty wal/, which real promtool's dump needs).
"""
import os
import shutil
import sys


def sub(old, new):
    return lambda b: b.replace(old, new, 1)


def add(field):
    return sub(b'\t"version": 1', field + b',\n\t"version": 1')


CASES = {
    # Go reads these: strings are decoded with invalid UTF-8 and lone
    # surrogates replaced by U+FFFD, NULs kept, keys matched in any case.
    "utf8_field": add(b'\t"note": "a\xffb\xc3(\xed\xa0\x80"'),
    "utf8_hints": sub(b'\t\t"level": 1,', b'\t\t"level": 1,\n\t\t"hints": ["\xc3", "\xf4\x90\x80\x80"],'),
    "surrogate": add(b'\t"note": "\\ud800 \\udc00\\ud83d\\ude00"'),
    "nul": add(b'\t"note": "a\\u0000b"'),
    "key_case": lambda b: b.replace(b'"minTime"', b'"MINTIME"').replace(b'"numSamples"', b'"NumSamples"'),
    "null_stat": sub(b'"numSamples": 1727', b'"numSamples": null'),
    "newer_stats": sub(b'"numChunks": 17', b'"numChunks": 17,\n\t\t"numFloatSamples": -1'),
    # ULIDs as oklog/ulid's UnmarshalText reads them and String() prints
    # them: absent or null is the zero ULID, case is folded, characters
    # outside the alphabet decode to what its table gives.
    "ulid_absent": sub(b'\t"ulid": "01M8P3S38BCGPV74TND5XQ2BG4",\n', b''),
    "ulid_null": sub(b'"ulid": "01M8P3S38BCGPV74TND5XQ2BG4"', b'"ulid": null'),
    "ulid_lower": sub(b'"ulid": "01M8P3S38BCGPV74TND5XQ2BG4"', b'"ulid": "01m8p3s38bcgpv74tnd5xq2bg4"'),
    "ulid_badchars": sub(b'"ulid": "01M8P3S38BCGPV74TND5XQ2BG4"', b'"ulid": "01M8P3S38BCGPV74TND5XQ2!UL"'),
    "sources_null": sub(b'"sources": [', b'"sources": [null, '),
    # Go skips these blocks.
    "neg_samples": sub(b'"numSamples": 1727', b'"numSamples": -5'),
    "float_samples": sub(b'"numSamples": 1727', b'"numSamples": 1.5'),
    "string_mintime": sub(b'"minTime": 1600012810000', b'"minTime": "1600012810000"'),
    "stats_number": lambda b: b[:b.index(b'\t"stats"')] + b'\t"stats": 5,\n' + b[b.index(b'\t"compaction"'):],
    "version_2": sub(b'"version": 1', b'"version": 2'),
    "ulid_short": sub(b'"ulid": "01M8P3S38BCGPV74TND5XQ2BG4"', b'"ulid": "01M8P3S38B"'),
    "ulid_utf8": sub(b'"ulid": "01M8P3S38BCGPV74TND5XQ2BG4"', b'"ulid": "01M8P3S38BCGPV74TND5XQ2B\xff"'),
    "ulid_overflow": sub(b'"ulid": "01M8P3S38BCGPV74TND5XQ2BG4"', b'"ulid": "81M8P3S38BCGPV74TND5XQ2BG4"'),
    "failed_string": sub(b'\t\t"level": 1,', b'\t\t"level": 1,\n\t\t"failed": "yes",'),
    "sources_string": lambda b: b[:b.index(b'\t\t"sources"')] + b'\t\t"sources": "x"\n\t},\n' + b[b.index(b'\t"version"'):],
    "bad_json": lambda b: b[:40],
    "utf8_outside": sub(b'"version": 1', b'"version": 1\xff'),
}


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return
    src, dst, case = sys.argv[1:4]
    shutil.copytree(src, dst)
    last = sorted(d for d in os.listdir(dst) if len(d) == 26)[-1]
    path = os.path.join(dst, last, "meta.json")
    with open(path, "rb") as f:
        data = f.read()
    edited = CASES[case](data)
    assert edited != data, case
    with open(path, "wb") as f:
        f.write(edited)
    # real promtool's dump needs a WAL dir (it writes into it)
    os.makedirs(os.path.join(dst, "wal"), exist_ok=True)


main()
