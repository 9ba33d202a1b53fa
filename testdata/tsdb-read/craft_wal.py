#!/usr/bin/env python3
"""Writes fixtures/walcraft: a WAL-only data dir exercising replay rules
that a live Prometheus rarely produces (regen.sh --fixtures runs this; the
golden is still the real promtool's dump of it):
duplicate series records (a second ref for the same labels), out-of-order
and duplicate-timestamp samples, samples of an unknown ref, a tombstone,
a series record split over pages (first/middle/last fragments), and
several segments."""
import os, struct, sys, zlib

PAGE = 32768

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)

def varint(v):
    return uvarint((v << 1) ^ (v >> 63) if v >= 0 else ((~v) << 1) | 1)

def series(ref, labels):
    b = bytearray([1]) + struct.pack('>Q', ref) + uvarint(len(labels))
    for k, v in labels:
        b += uvarint(len(k)) + k.encode() + uvarint(len(v)) + v.encode()
    return bytes(b)

def samples(base_ref, base_t, items):
    b = bytearray([2]) + struct.pack('>Qq', base_ref, base_t)
    for ref, t, v in items:
        b += varint(ref - base_ref) + varint(t - base_t) + struct.pack('>d', v)
    return bytes(b)

def tombstone(ref, mint, maxt):
    return bytes([3]) + struct.pack('>Q', ref) + varint(mint) + varint(maxt)

class Segment:
    def __init__(self):
        self.b = bytearray()
    def add(self, rec):
        first = True
        while True:
            left = PAGE - len(self.b) % PAGE
            if left < 7 + 1:
                self.b += bytes(left)
                continue
            n = min(len(rec), left - 7)
            last = n == len(rec)
            typ = 1 if first and last else 2 if first else 4 if last else 3
            self.b += bytes([typ]) + struct.pack('>HI', n, crc32c(rec[:n])) + rec[:n]
            rec = rec[n:]
            first = False
            if last:
                return

out = sys.argv[1]
os.makedirs(out + '/wal', exist_ok=True)
s0 = Segment()
s0.add(series(1, [('__name__', 'm'), ('a', 'x')]))
s0.add(samples(1, 10000, [(1, 10000, 1.0), (1, 20000, 2.0), (1, 30000, 3.0)]))
s0.add(series(3, [('__name__', 'm'), ('a', 'y')]))
s0.add(samples(3, 5000, [(3, 5000, 5.0), (3, 6000, 6.0), (3, 9000, 9.0), (7, 9000, 70.0)]))
s0.add(tombstone(3, 0, 6000))
# a label value longer than a page
s0.add(series(4, [('__name__', 'long'), ('v', 'x' * 33000)]))
s0.add(samples(4, 1000, [(4, 1000, 0.5), (4, 2000, float('nan'))]))
s1 = Segment()
# out of order, duplicate timestamp with another value, then in order
s1.add(samples(1, 25000, [(1, 25000, 99.0), (1, 30000, 33.0), (1, 40000, 4.0)]))
# the same labels again under ref 2: the series restarts, ref 2 maps onto it
s1.add(series(2, [('__name__', 'm'), ('a', 'x')]))
s1.add(samples(2, 35000, [(2, 35000, 3.5), (2, 50000, 5.0), (1, 60000, 6.0)]))
s1.add(samples(3, 12000, [(3, 12000, 12.0), (3, 11000, 11.0)]))
open(out + '/wal/00000000', 'wb').write(s0.b)
open(out + '/wal/00000001', 'wb').write(s1.b)
