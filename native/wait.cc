// Blocking futex wait/wake on shared (not FUTEX_PRIVATE) addresses: they
// reach waiters in every process, which V8's Atomics.wait/notify cannot.
// The async form is waiter.cc.
#include "common.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace skein {
namespace {

long Futex(uint32_t* addr, int op, uint32_t val, const struct timespec* ts) {
  return syscall(SYS_futex, addr, op, val, ts, nullptr, 0);
}

// futexWait(sab, byteOffset, expected, timeoutMs) -> 0 woken, 1 timed out, 2 value differed
// timeoutMs < 0 waits forever. Absolute monotonic deadline so EINTR retries are exact.
void FutexWait(const FunctionCallbackInfo<Value>& a) {
  uint32_t* addr = WordAt(a, 0, 1);
  if (!addr) return;
  uint32_t expected = static_cast<uint32_t>(static_cast<int64_t>(NumArg(a, 2)));
  double ms = NumArg(a, 3);
  struct timespec deadline = DeadlineIn(ms < 0 ? 0 : ms);
  for (;;) {
    long r;
    if (ms < 0) {
      r = Futex(addr, FUTEX_WAIT, expected, nullptr);
    } else {
      r = syscall(SYS_futex, addr, FUTEX_WAIT_BITSET, expected, &deadline, nullptr, FUTEX_BITSET_MATCH_ANY);
    }
    if (r == 0) return a.GetReturnValue().Set(0);
    if (errno == EAGAIN) return a.GetReturnValue().Set(2);
    if (errno == ETIMEDOUT) return a.GetReturnValue().Set(1);
    if (errno != EINTR) return a.GetReturnValue().Set(0);  // treat as spurious; caller rechecks
  }
}

// futexWake(sab, byteOffset, count) -> number woken
void FutexWake(const FunctionCallbackInfo<Value>& a) {
  uint32_t* addr = WordAt(a, 0, 1);
  if (!addr) return;
  int64_t n = IntArg(a, 2);
  if (n <= 0 || n > INT32_MAX) n = INT32_MAX;
  long r = Futex(addr, FUTEX_WAKE, static_cast<uint32_t>(n), nullptr);
  a.GetReturnValue().Set(static_cast<double>(r < 0 ? 0 : r));
}

}  // namespace

void InitWait(const Exports& exports) {
  exports.Set("futexWait", FutexWait);
  exports.Set("futexWake", FutexWake);
}

}  // namespace skein
