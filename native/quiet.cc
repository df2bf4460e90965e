// Before the fork server clones a child (fork.cc), every other thread of the
// server should be asleep in the kernel. Why: the raw clone skips glibc's
// fork handlers, which would take malloc's arena locks around the copy; a
// thread that was inside malloc (or free) at the clone leaves its arena's
// lock held in the child, where no thread will ever release it, and the
// child hangs in its first allocation from that arena. Seen: a child stuck
// at birth in malloc while tsx's loader thread had just finished an import.
// A thread asleep in the kernel (state S) is not inside an allocator's
// critical section, so waiting until none runs closes that window down to
// the microseconds between this check and the clone. Bounded: a thread
// that never sleeps (a busy worker a module started) only delays the fork.
#include "common.h"

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace skein {

namespace {

// Whether every thread but the caller is off the CPU and not in an uninterruptible wait.
bool OthersAsleep() {
  long self = syscall(SYS_gettid);
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return true;  // no /proc: nothing to learn, fork as before
  bool asleep = true;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    if (strtol(e->d_name, nullptr, 10) == self) continue;
    int state = ProcState(std::string("/proc/self/task/") + e->d_name + "/stat");
    if (state == 'R' || state == 'D') {
      asleep = false;
      break;
    }
  }
  closedir(dir);
  return asleep;
}

}  // namespace

bool WaitOthersAsleep(int64_t budget_ns) {
  int64_t until = NowNs() + budget_ns;
  for (;;) {
    if (OthersAsleep()) return true;
    if (NowNs() >= until) return false;
    struct timespec pause = {0, 50000};
    nanosleep(&pause, nullptr);
  }
}

}  // namespace skein
