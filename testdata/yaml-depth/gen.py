#!/usr/bin/env python3
"""Writes the deeply nested rule files of tests/sh/yaml_depth_golden.sh.

Usage: gen.py DIR   (gen.py --list prints the case names)

yaml.v3's scanner refuses more than 10,000 open flow collections
(max_flow_level) and more than 10,000 pushed block indents (max_indents):
each limit at and above, after a block mapping and at the top, in flow
sequences, flow mappings, across lines, and block sequences; and 40,000
levels, which took ours 20-40 s (libyaml's scanner is quadratic in the
flow depth, and a pre-scan for colons read all of it).
"""
import os
import sys


def flow_seq(n, prefix="groups: ", sep=""):
    return prefix + ("[" + sep) * n + "]" * n + "\n"


CASES = {
    "seq_10000": flow_seq(10000),
    "seq_10001": flow_seq(10001),
    "seq_40000": flow_seq(40000),
    "top_10001": flow_seq(10001, prefix=""),
    "lines_10001": flow_seq(10001, prefix="groups:\n  - ", sep="\n"),
    "map_10001": "groups: " + "{a: " * 10001 + "1" + "}" * 10001 + "\n",
    "map_40000": "groups: " + "{a: " * 40000 + "1" + "}" * 40000 + "\n",
    "colons_40000": "groups: [" + "{a:}, " * 10 + "[" * 40000 + "]" * 40000 + "]\n",
    "block_9999": "groups:\n  " + "- " * 9999 + "x\n",
    "block_10000": "groups:\n  " + "- " * 10000 + "x\n",
    "top_block_10000": "- " * 10000 + "x\n",
    "top_block_10001": "- " * 10001 + "x\n",
}


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return
    for name, text in CASES.items():
        with open(os.path.join(sys.argv[1], name + ".yml"), "w") as f:
            f.write(text)


main()
