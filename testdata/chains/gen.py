#!/usr/bin/env python3
"""Writes the long operator chains of testdata/chains into a directory.

usage: gen.py check DIR   rule files for `check rules` (one rule each)
       gen.py eval DIR    eval.yml, recording rules for the backfill test

The inputs are too big to commit (up to 1.9 MB each): regen.sh and
tests/sh/chains_golden.sh both make them with this script, so only the
expected outputs are committed.  Deterministic: the mixed chains come from
a fixed linear congruential generator, not from `random`.
"""
import os
import sys

N = 50000  # terms of a chain for `check rules` (ours segfaulted at 50k)


class Lcg:
    def __init__(self, seed):
        self.x = seed

    def next(self, n):
        self.x = (self.x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.x >> 33) % n


def chain(term, op, n):
    return (" %s " % op).join([term] * n)


def nested(pre, leaf, post, n):
    return pre * n + leaf + post * n


def mixed(metric, n, seed):
    """n terms joined by every binary operator (with bool, on, ignoring,
    group_left), with signs, parentheses, calls and aggregations, in printed
    form.  Valid and evaluable: set operators only at the top level, and
    operators with vector matching only between vector operands."""
    g = Lcg(seed)
    plain = ["+", "-", "*", "/", "%", "^", "atan2", "== bool", "> bool", "<= bool"]
    matching = ["+ on (route, tenant)", "* ignoring (le) group_left ()", "- ignoring (le)"]
    sets = ["or", "and", "unless"]
    vectors = [metric, "-" + metric, "abs(" + metric + ")", "sum by (route, tenant) (" + metric + ")",
               "rate(" + metric + "[5m])", metric + " offset 1m"]
    out = [metric]
    depth, prev_vector = 0, True
    for _ in range(n - 1):
        k = g.next(20)
        if k == 0 and depth == 0 and prev_vector:
            op = sets[g.next(len(sets))]
        elif k <= 3 and prev_vector:
            op = matching[g.next(len(matching))]
        else:
            op = plain[g.next(len(plain))]
        out.append(" %s " % op)
        if g.next(8) == 0:
            out.append("(")
            depth += 1
            prev_vector = True
            out.append(vectors[g.next(len(vectors))])
        elif op in plain and g.next(4) == 0:
            out.append("0.5")
            prev_vector = False
        else:
            out.append(vectors[g.next(len(vectors))])
            prev_vector = True
        if depth and g.next(6) == 0:
            out.append(")")
            depth -= 1
            prev_vector = True
    out.append(")" * depth)
    return "".join(out)


def rule_file(path, exprs):
    with open(path, "w") as f:
        f.write("groups:\n  - name: chains\n    interval: 1m\n    rules:\n")
        for name, e in exprs:
            f.write("      - record: %s\n        expr: \"%s\"\n" % (name, e))


def check_files(d):
    m = "up"
    files = {
        "or": chain(m, "or", N),
        "and": chain(m, "and", N),
        "unless": chain(m, "unless", N),
        "add": chain(m, "+", N),
        "mul": chain(m, "*", N),
        "gtr_bool": chain(m, "> bool", N),
        "pow": chain(m, "^", N),
        "num_add": chain("1", "+", N),
        "neg": nested("- ", m, "", N),
        "neg_num": nested("-", "1", "", N),
        "paren": nested("(", m, ")", N),
        "abs": nested("abs(", m, ")", N),
        "sum": nested("sum(", m, ")", N),
        "mixed": mixed(m, N, 42),
        # the first error deep inside a chain, with its position
        "err_matrix": chain(m, "+", N) + " + up[5m] + up",
        "err_paren": nested("(", "up + ", ")", N),
        "err_abs": nested("abs(", "up[5m]", ")", N),
        "err_trailing": chain(m, "or", N) + " or",
        "err_unclosed": nested("(", m, ")", N)[:-1],
        "err_scalar_set": chain(m, "or", N) + " or 1",
    }
    for name, e in files.items():
        rule_file(os.path.join(d, name + ".yml"), [("r", e)])


def eval_file(d):
    """Rules over testdata/rules-backfill's data: the chain the issue saw
    overflow our stack (30k terms of "+"), and others of every shape."""
    m = "http_request_duration_seconds_count"
    rule_file(os.path.join(d, "eval.yml"), [
        ("chain_add", chain(m, "+", 30000)),
        ("chain_or", chain(m, "or", 20000)),
        ("chain_pow", m + " ^ " + chain("0.5", "^", 10000)),
        ("chain_neg", nested("- ", m, "", 10000)),
        ("chain_paren", nested("(", m + " / 2", ")", 10000)),
        ("chain_mixed", mixed(m, 10000, 7)),
    ])


def main():
    what, d = sys.argv[1], sys.argv[2]
    os.makedirs(d, exist_ok=True)
    if what == "check":
        check_files(d)
    elif what == "eval":
        eval_file(d)
    else:
        sys.exit("usage: gen.py check|eval DIR")


if __name__ == "__main__":
    main()
