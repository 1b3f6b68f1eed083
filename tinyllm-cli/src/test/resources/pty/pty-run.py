#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal, as a person at a terminal would.

usage: pty-run.py --columns N [--rows N] [--stdin null] [--stdout FILE] [--stderr FILE]
                  -- COMMAND [ARG...]

The terminal is the command's controlling terminal and its stdin, stdout and stderr, but for those
sent elsewhere: '--stdin null' gives it /dev/null, --stdout and --stderr a file. What arrives on our
stdin is typed into the terminal (so Ctrl-C, byte 3, makes the terminal send SIGINT to the
command); what the terminal shows comes out on our stdout. Exits with the command's exit status
(128 + the signal's number when a signal ended it). The command starts with SIGINT, SIGTERM and
SIGQUIT at their defaults, even when we were started with them ignored (as a background job of a
shell without job control is).
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios

parser = argparse.ArgumentParser()
parser.add_argument("--columns", type=int, required=True)
parser.add_argument("--rows", type=int, default=24)
parser.add_argument("--stdin", choices=["null"])
parser.add_argument("--stdout")
parser.add_argument("--stderr")
parser.add_argument("command", nargs=argparse.REMAINDER)
args = parser.parse_args()
command = args.command[1:] if args.command[:1] == ["--"] else args.command
if not command:
    parser.error("no command given")


def redirect(fd, path, flags):
    opened = os.open(path, flags, 0o644)
    os.dup2(opened, fd)
    os.close(opened)


pid, master = pty.fork()
if pid == 0:
    # the child: a new session whose controlling terminal is the pty, on stdin, stdout and stderr
    try:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.columns, 0, 0))
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
            signal.signal(number, signal.SIG_DFL)
        written = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        if args.stdin == "null":
            redirect(0, os.devnull, os.O_RDONLY)
        if args.stdout:
            redirect(1, args.stdout, written)
        if args.stderr:
            redirect(2, args.stderr, written)
        os.execvp(command[0], command)
    except OSError as e:
        os.write(2, ("pty-run.py: cannot run %s: %s\n" % (command[0], e)).encode())
    os._exit(127)

stdin_open = True
while True:
    readable, _, _ = select.select([master] + ([0] if stdin_open else []), [], [])
    if master in readable:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: every holder of the terminal has closed it
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
