// Process and thread lifecycle: thread ids and liveness (owner checks of
// locks), PR_SET_PDEATHSIG (no orphans), exit waits through a pidfd without
// reaping (waitid WNOWAIT), and exit watches that reap a fork server child.
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <mutex>

namespace skein {
namespace {

void GetTid(const FunctionCallbackInfo<Value>& a) {
  a.GetReturnValue().Set(static_cast<int>(syscall(SYS_gettid)));
}

// threadAlive(tid) -> bool: is the kernel thread tid still running (not gone,
// not a zombie)? Kernel thread ids are unique system-wide while they live.
void ThreadAlive(const FunctionCallbackInfo<Value>& a) {
  int tid = static_cast<int>(IntArg(a, 0));
  int state = ProcState("/proc/" + std::to_string(tid) + "/stat");
  if (state < 0) return a.GetReturnValue().Set(errno != ENOENT && errno != ESRCH);
  a.GetReturnValue().Set(state != 0 && state != 'Z' && state != 'X' && state != 'x');
}

// setPdeathsig(signal, expectedParentPid) -> bool: false if the parent already died.
void SetPdeathsig(const FunctionCallbackInfo<Value>& a) {
  int sig = static_cast<int>(IntArg(a, 0));
  int ppid = static_cast<int>(IntArg(a, 1));
  prctl(PR_SET_PDEATHSIG, sig);
  a.GetReturnValue().Set(ppid <= 0 || getppid() == ppid);
}

// waitExit(pid, timeoutMs) -> null while running at timeout, else {code, signal}.
// Uses a pidfd and waitid(WNOWAIT): it never reaps, so libuv's own reaping and
// 'exit' events stay intact.
void WaitExit(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  int pid = static_cast<int>(IntArg(a, 0));
  double ms = NumArg(a, 1);
  int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pfd < 0) {
    a.GetReturnValue().Set(v8::Null(iso));
    return;
  }
  struct pollfd p = {pfd, POLLIN, 0};
  int64_t deadline = ms < 0 ? INT64_MAX : NowNs() + static_cast<int64_t>(ms * 1e6);
  int r;
  for (;;) {
    int64_t left = deadline == INT64_MAX ? -1 : (deadline - NowNs()) / 1000000;
    if (left < -1) left = 0;
    r = poll(&p, 1, static_cast<int>(left > INT32_MAX ? INT32_MAX : left));
    if (r < 0 && errno == EINTR) continue;
    break;
  }
  if (r <= 0) {
    close(pfd);
    a.GetReturnValue().Set(v8::Null(iso));
    return;
  }
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int w = waitid(P_PIDFD, pfd, &info, WEXITED | WNOWAIT);
  close(pfd);
  Local<Context> ctx = iso->GetCurrentContext();
  Local<Object> out = Object::New(iso);
  int code = -1, sig = 0;
  if (w == 0) {
    if (info.si_code == CLD_EXITED) code = info.si_status;
    else sig = info.si_status;
  }
  out->Set(ctx, String::NewFromUtf8Literal(iso, "code"), Integer::New(iso, code)).Check();
  out->Set(ctx, String::NewFromUtf8Literal(iso, "signal"), Integer::New(iso, sig)).Check();
  a.GetReturnValue().Set(out);
}

// Exit watches: a child forked by the fork server is this process's child but
// not libuv's; a pidfd polled by the loop tells its exit, and waitid reaps it.
struct ExitWatch {
  uv_poll_t poll;
  Isolate* iso;
  int pfd;
  Global<Function> callback;
  bool closing = false;
};

std::mutex g_watch_mutex;
std::map<int, ExitWatch*> g_watches;  // pidfd -> watch

void CloseWatch(ExitWatch* w) {
  if (w->closing) return;
  w->closing = true;
  {
    std::lock_guard<std::mutex> lock(g_watch_mutex);
    g_watches.erase(w->pfd);
  }
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) {
    ExitWatch* w = static_cast<ExitWatch*>(h->data);
    close(w->pfd);
    w->callback.Reset();
    delete w;
  });
}

void CleanupWatch(void* arg) {
  CloseWatch(static_cast<ExitWatch*>(arg));
}

void OnChildExit(uv_poll_t* handle, int, int) {
  ExitWatch* w = static_cast<ExitWatch*>(handle->data);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  int r = waitid(P_PIDFD, w->pfd, &info, WEXITED | WNOHANG);
  if (r == 0 && info.si_pid == 0) return;  // not yet
  int code = -1, sig = 0;
  if (r == 0) {
    if (info.si_code == CLD_EXITED) code = info.si_status;
    else sig = info.si_status;
  }
  Isolate* iso = w->iso;
  HandleScope scope(iso);
  Local<Function> cb = w->callback.Get(iso);
  node::RemoveEnvironmentCleanupHook(iso, CleanupWatch, w);
  CloseWatch(w);
  Local<Context> ctx = cb->GetCreationContextChecked();
  Context::Scope cscope(ctx);
  Local<Value> argv[] = {Integer::New(iso, code), Integer::New(iso, sig)};
  node::MakeCallback(iso, ctx->Global(), cb, 2, argv, {0, 0});
}

// watchExit(pid, callback(code, signal)) -> watch id (>= 0) or -errno. Reaps
// the child (which must be this process's) when it exits, then calls back.
// The watch keeps the event loop alive until unref'd.
void WatchExit(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  int pid = static_cast<int>(IntArg(a, 0));
  if (!a[1]->IsFunction()) return Throw(iso, "watchExit: expected a callback");
  int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pfd < 0) return a.GetReturnValue().Set(-errno);
  ExitWatch* w = new ExitWatch();
  w->iso = iso;
  w->pfd = pfd;
  w->callback.Reset(iso, a[1].As<Function>());
  uv_poll_init(node::GetCurrentEventLoop(iso), &w->poll, pfd);
  w->poll.data = w;
  uv_poll_start(&w->poll, UV_READABLE, OnChildExit);
  node::AddEnvironmentCleanupHook(iso, CleanupWatch, w);
  {
    std::lock_guard<std::mutex> lock(g_watch_mutex);
    g_watches[pfd] = w;
  }
  a.GetReturnValue().Set(pfd);
}

// refExitWatch(id, on): whether the watch keeps the event loop alive.
void RefExitWatch(const FunctionCallbackInfo<Value>& a) {
  int id = static_cast<int>(IntArg(a, 0));
  bool on = a[1]->BooleanValue(a.GetIsolate());
  std::lock_guard<std::mutex> lock(g_watch_mutex);
  auto it = g_watches.find(id);
  if (it == g_watches.end()) return;
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&it->second->poll);
  if (on) uv_ref(h);
  else uv_unref(h);
}

// A fork server child cannot let Node end it: when the event loop empties,
// Node drains the V8 platform's worker tasks, and the workers that would run
// them are not in the child (it waits forever); Node's exit path then joins

}  // namespace

void InitProcess(const Exports& exports) {
  exports.Set("gettid", GetTid);
  exports.Set("threadAlive", ThreadAlive);
  exports.Set("setPdeathsig", SetPdeathsig);
  exports.Set("waitExit", WaitExit);
  exports.Set("watchExit", WatchExit);
  exports.Set("refExitWatch", RefExitWatch);
}

}  // namespace skein
