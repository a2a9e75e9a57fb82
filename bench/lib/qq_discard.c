/* bench/lib/qq_discard.c - a QMAILQUEUE for benchmarks that queues nothing.
 *
 * Reads the message (fd 0) and then the envelope (fd 1) to EOF, throws both
 * away and exits 0, as a queue that accepted the message would. It is one
 * small C process, like the stand-in perf-anchors.md's W4 figures were
 * measured with, so that a list manager's fixed cost is compared without a
 * shell and two cat processes on top (about 2 ms on the reference machine).
 * Exit 54 (qmail-queue's read error) if a read fails.
 *
 * Built by bench/list/run with: cc -O2 -o qq-discard qq_discard.c
 */
#include <unistd.h>

static int drain(int fd) {
  static char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) continue;
  return n == 0;
}

int main(void) { return drain(0) && drain(1) ? 0 : 54; }
