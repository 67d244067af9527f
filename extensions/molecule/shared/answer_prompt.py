"""Run a command on a terminal and answer its prompts, as an operator at the keyboard would.

Usage: python3 answer_prompt.py PROMPT_REGEX ANSWER ARGV...

The command gets a pseudo-terminal (so ansible's pause sees an interactive run). Each time its
output shows PROMPT_REGEX once more, ANSWER and Enter are typed. Everything the command printed is
relayed, followed by a last line `PROMPTS ANSWERED: N`; the exit code is the command's.
A run still going after 600 s is killed (exit 124): a test must never hang on a prompt.
"""
import os
import pty
import re
import select
import signal
import sys
import time

DEADLINE_SECONDS = 600


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    pattern, answer, argv = re.compile(sys.argv[1]), sys.argv[2], sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen, answered = "", 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        ready = select.select([fd], [], [], 1)[0]
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the command closed its terminal
            break
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        seen += data.decode("utf-8", "replace")
        if len(pattern.findall(seen)) > answered:
            # ansible's pause empties the terminal's input before it reads: type after the prompt.
            time.sleep(0.5)
            os.write(fd, answer.encode("utf-8") + b"\r")
            answered += 1
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        print("\nPROMPTS ANSWERED: %d (killed after %d s)" % (answered, DEADLINE_SECONDS))
        sys.exit(124)
    status = os.waitpid(pid, 0)[1]
    print("\nPROMPTS ANSWERED: %d" % answered)
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
