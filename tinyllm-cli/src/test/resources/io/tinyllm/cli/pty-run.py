#!/usr/bin/env python3
"""Runs a command with its stderr on a new pseudo-terminal, as a person at a terminal would.

usage: pty-run.py --columns N --stdout FILE|tty --transcript FILE [--timeout S]
                  [--ctrl-c-after TEXT | --ctrl-c-when FILE] [--took FILE]
                  [--stdin tty] [--stderr FILE] -- COMMAND...

stdin is /dev/null, or the terminal with '--stdin tty'; stdout goes to FILE, or to the terminal
too with 'tty'; stderr is the terminal unless --stderr names a file. The terminal is the
command's controlling terminal, so --ctrl-c-after types Ctrl-C (the terminal sends SIGINT) once
TEXT has appeared on it, or --ctrl-c-when once FILE exists; --took then gets the seconds from
Ctrl-C to the command's end. Everything the terminal shows is written to the transcript. Exits with
the command's status (128 + N when signal N ended it; 124 when the timeout killed it).
"""
import argparse
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, required=True)
    parser.add_argument("--stdout", required=True)
    parser.add_argument("--transcript", required=True)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--ctrl-c-after")
    parser.add_argument("--ctrl-c-when")
    parser.add_argument("--took")
    parser.add_argument("--stdin")
    parser.add_argument("--stderr")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, args.columns, 0, 0))

    def child_setup():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        # a harness started in the background may pass SIGINT on ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    stdout = slave if args.stdout == "tty" else open(args.stdout, "wb")
    process = subprocess.Popen(
        command,
        stdin=slave if args.stdin == "tty" else subprocess.DEVNULL,
        stdout=stdout,
        stderr=open(args.stderr, "wb") if args.stderr else slave,
        preexec_fn=child_setup,
        close_fds=True,
    )
    os.close(slave)
    shown = bytearray()
    typed = None
    deadline = time.monotonic() + args.timeout
    status = None
    while True:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                data = b""
            if data:
                shown += data
            elif process.poll() is not None:
                break
        if typed is None and (
            (args.ctrl_c_after is not None and args.ctrl_c_after.encode() in shown)
            or (args.ctrl_c_when is not None and os.path.exists(args.ctrl_c_when))
        ):
            os.write(master, b"\x03")
            typed = time.monotonic()
        if process.poll() is not None and not ready:
            break
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            status = 124
            break
    if args.took is not None and typed is not None:
        with open(args.took, "w") as took:
            took.write("%.3f\n" % (time.monotonic() - typed))
    with open(args.transcript, "wb") as transcript:
        transcript.write(bytes(shown))
    if status is None:
        code = process.wait()
        status = 128 - code if code < 0 else code
    sys.exit(status)


if __name__ == "__main__":
    main()
