#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal, as a person at a terminal would.

Usage: pty-run.py COLUMNS ROWS COMMAND [ARG...]

What arrives on our stdin is typed into the terminal (so Ctrl-C, byte 3, makes the terminal send
SIGINT to the command); what the command writes to the terminal comes out on our stdout. Exits with
the command's exit status (128 + the signal's number when a signal ended it). The command starts
with SIGINT, SIGTERM and SIGQUIT at their defaults, even when we were started with them ignored (as
a background job of a shell without job control is).
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios

columns, rows = int(sys.argv[1]), int(sys.argv[2])
command = sys.argv[3:]

pid, master = pty.fork()
if pid == 0:
    # the child: its stdin, stdout and stderr are the terminal
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)
    os.execvp(command[0], command)

stdin_open = True
while True:
    readable, _, _ = select.select([master] + ([0] if stdin_open else []), [], [])
    if master in readable:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the command closed the terminal
            data = b""
        if not data:
            break
        os.write(1, data)
    if stdin_open and 0 in readable:
        data = os.read(0, 4096)
        if data:
            os.write(master, data)
        else:
            stdin_open = False

_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(128 - code if code < 0 else code)
