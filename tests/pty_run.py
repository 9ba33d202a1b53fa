#!/usr/bin/env python3
"""Runs a command with its stderr on a pseudo-terminal.

usage: pty_run.py COLUMNS STDERR_OUT STDOUT_OUT -- COMMAND [ARGS...]

The command's stderr is a pty of COLUMNS columns (what it writes there,
byte for byte as the terminal receives it, goes to STDERR_OUT; the tty
layer turns "\\n" into "\\r\\n"), its stdout goes to the file STDOUT_OUT,
its stdin is /dev/null.  Exits with the command's exit code.
"""
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios


def main():
    cols, err_path, out_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    assert sys.argv[4] == "--"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    with open(out_path, "wb") as out, open(os.devnull, "rb") as devnull:
        p = subprocess.Popen(sys.argv[5:], stdin=devnull, stdout=out, stderr=slave)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the command has exited
            break
        if not chunk:
            break
        data += chunk
    rc = p.wait()
    with open(err_path, "wb") as f:
        f.write(data)
    sys.exit(rc)


main()
