// skein's native substrate: the few things only the kernel can do, one file
// per concern:
// - segment.cc  memfd segments as SharedArrayBuffers, named POSIX shm, discard, populate
// - wait.cc     blocking futex wait/wake on shared addresses
// - waiter.cc   the async futex wait (futex_waitv threads, uv_async)
// - process.cc  thread ids and liveness, PDEATHSIG, pidfd exit waits and watches
// - fork.cc     the fork server's native fork and the forked child's exit path
// - file.cc     flock
// - common.*    argument helpers, per-environment state, registration
#include "common.h"

using namespace skein;

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* iso = context->GetIsolate();
  PerEnv* env = new PerEnv();
  node::AddEnvironmentCleanupHook(iso, [](void* p) { delete static_cast<PerEnv*>(p); }, env);
  Exports out{iso, context, exports, v8::External::New(iso, env)};
  InitSegment(out);
  InitWait(out);
  InitWaiter(out);
  InitProcess(out);
  InitFork(out);
  InitFile(out);
  InitDoorbell(out);
}
