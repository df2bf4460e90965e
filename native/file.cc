// File locks: flock(2) on a kept-open fd (FileLock).
#include "common.h"

#include <errno.h>
#include <sys/file.h>

namespace skein {
namespace {

// flock(fd, op) -> 0 or errno. op: 1 shared, 2 exclusive, 8 unlock, |4 non-blocking.
void Flock(const FunctionCallbackInfo<Value>& a) {
  int fd = static_cast<int>(IntArg(a, 0));
  int op = static_cast<int>(IntArg(a, 1));
  int r;
  do {
    r = flock(fd, op);
  } while (r != 0 && errno == EINTR);
  a.GetReturnValue().Set(r == 0 ? 0 : errno);
}

}  // namespace

void InitFile(const Exports& exports) {
  exports.Set("flock", Flock);
}

}  // namespace skein
