#!/usr/bin/env python3
# Writes queries.txt: random regexps (fixed seed, so the list never changes
# unless this file does) as matchers and as label_replace() patterns, each
# query grouped by the labels that tell the answers apart.  regen.sh then
# has real Prometheus 2.42 answer them.
#
# No case-sensitive literal that is the smallest of its case-folding
# orbit (A-Z, É, ...): next to a case-folded one at the head of two
# alternatives it meets a Go 1.19 bug that RE2 does not reproduce
# (COMPATIBILITY.md).
import random

random.seed(20230228)
ATOMS = ['a', 'b', 'c', 'x', 'w', 'o', 'é', '!', '-', ' ', '.', r'\w', r'\s', r'\d', r'\W',
         r'\b', r'\B', '[ab]', '[^a]', '[a-c]', '[Aa]', '[éÉ]', '[[:upper:]]', '[[:^alpha:]]',
         r'\pL', r'\p{Lu}', r'\PL', '(?i:a)', '(?i:b)', '(?i)x', '(?i:é)', '(?s:.)', '(?m:^)',
         '(?m:$)', '^', '$', r'\Qa.\E', r'\x{e9}', r'\z', r'\A', '()', '(|a)', '(a|)']
OPS = ['*', '+', '?', '*?', '+?', '??', '{2}', '{1,3}', '{0,2}', '{2,}', '{3,}?', '{0}', '{1}']
ASSERTIONS = ('^', '$', r'\b', r'\B', r'\z', r'\A')


def gen(depth=0):
    if depth > 3 or random.random() < 0.3:
        s = random.choice(ATOMS)
    else:
        k = random.random()
        if k < 0.3:
            s = gen(depth + 1) + gen(depth + 1)
        elif k < 0.55:
            s = gen(depth + 1) + '|' + gen(depth + 1)
        elif k < 0.7:
            s = '(' + gen(depth + 1) + ')'
        elif k < 0.8:
            s = '(?:' + gen(depth + 1) + ')'
        elif k < 0.88:
            s = '(?i:' + gen(depth + 1) + ')'
        elif k < 0.94:
            s = '(?U:' + gen(depth + 1) + ')'
        else:
            s = '(?P<n>' + gen(depth + 1) + ')'
    if random.random() < 0.35:
        if not (len(s) == 1 or s[0] in '([') or s in ASSERTIONS or s.startswith('(?m:'):
            s = '(?:' + s + ')'
        s += random.choice(OPS)
    return s


seen = set()
out = []
while len(seen) < 500:
    r = gen()
    if random.random() < 0.4:
        r = '.*' + r + '.*'
    if r in seen:
        continue
    seen.add(r)
    q = r.replace('\\', '\\\\').replace('"', '\\"')
    out.append('60 60 60 group by (k) (m{v=~"%s"})' % q)
    out.append('60 60 60 group by (k, d) (label_replace(m, "d", "$1|$2|$3|$n", "v", "%s"))' % q)
with open('queries.txt', 'w', encoding='utf-8') as f:
    f.write('# Made by gen.py (do not edit): random regexps as matchers and in label_replace().\n')
    f.write('# Format: <start offset s> <end offset s> <step s> <expr>.\n')
    for line in out:
        f.write(line + '\n')
