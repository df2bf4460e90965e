// The doorbell: a way for any thread of any process to wake this JS
// environment's event loop directly, in one hop. An async waiter otherwise
// sleeps through the waiter thread (waiter.cc): a FUTEX_WAKE wakes that
// thread, which wakes the loop through uv_async — two wake-ups of sleeping
// threads, each costing tens of microseconds on a VM whose idle CPUs halt.
//
// Each environment that asks binds one datagram socket in the abstract
// namespace (no file, nothing left behind), named after the effective uid
// and its thread id, and polls it on its loop while waiters need it. A
// waker sends one empty datagram to that name. The datagram carries no
// data: whoever wakes re-checks the words it waits on, so a stray or forged
// datagram costs a spurious check, never a wrong result. A name another
// process already holds is not ours: bellOpen() then fails and the caller
// keeps the futex path.
#include "common.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace skein {
namespace {

struct Doorbell {
  Isolate* iso = nullptr;
  int fd = -1;
  pid_t pid = 0;  // the process that opened it (a forked copy is not its owner)
  uv_poll_t poll;
  bool polling = false;
  Global<Function> callback;
};

// A sender socket per process (any thread may ring; sendto on one socket is thread-safe).
int g_sender = -1;
pid_t g_sender_pid = 0;

socklen_t BellAddress(uint32_t id, struct sockaddr_un* addr) {
  memset(addr, 0, sizeof(*addr));
  addr->sun_family = AF_UNIX;
  // Abstract: sun_path[0] is NUL; the name is the bytes after it, not NUL-terminated.
  int n = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, "skein-bell-%u-%u", static_cast<unsigned>(geteuid()), id);
  return static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

Doorbell* BellOf(const FunctionCallbackInfo<Value>& a) {
  PerEnv* env = EnvOf(a);
  if (env->bell == nullptr) env->bell = new Doorbell();
  return static_cast<Doorbell*>(env->bell);
}

void OnReadable(uv_poll_t* handle, int status, int events) {
  Doorbell* b = static_cast<Doorbell*>(handle->data);
  // Drain what is queued, many rings per system call (one call in the usual
  // case: fewer than a batch came back means the queue is empty; a ring
  // that lands after it makes the fd readable again). Bounded: a flood
  // can't hold the loop.
  constexpr int kBatch = 32;
  char bytes[kBatch];
  struct iovec iov[kBatch];
  struct mmsghdr msgs[kBatch];
  memset(msgs, 0, sizeof(msgs));
  for (int i = 0; i < kBatch; i++) {
    iov[i] = {bytes + i, 1};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  for (int round = 0; round < 8; round++) {
    if (recvmmsg(b->fd, msgs, kBatch, MSG_DONTWAIT, nullptr) < kBatch) break;
  }
  if (b->callback.IsEmpty()) return;
  Isolate* iso = b->iso;
  HandleScope scope(iso);
  Local<Function> cb = b->callback.Get(iso);
  Local<Context> ctx = cb->GetCreationContextChecked();
  Context::Scope cscope(ctx);
  node::MakeCallback(iso, ctx->Global(), cb, 0, nullptr, {0, 0});
}

void CloseBell(void* arg) {
  Doorbell* b = static_cast<Doorbell*>(arg);
  b->callback.Reset();
  if (b->fd < 0) {
    delete b;
    return;
  }
  if (b->polling) uv_poll_stop(&b->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&b->poll), [](uv_handle_t* h) {
    Doorbell* bell = static_cast<Doorbell*>(h->data);
    close(bell->fd);
    delete bell;
  });
}

// bellOpen(id, onRing) -> bool: binds this environment's doorbell as `id` (its thread id).
void BellOpen(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  Doorbell* b = BellOf(a);
  a.GetReturnValue().Set(false);
  if (b->fd >= 0 && b->pid == CurrentPid()) {
    a.GetReturnValue().Set(true);
    return;
  }
  if (b->fd >= 0) return;  // a copy from the process this one was forked from: not ours, and never polled here
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  struct sockaddr_un addr;
  socklen_t len = BellAddress(static_cast<uint32_t>(IntArg(a, 0)), &addr);
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&addr), len) != 0) {
    close(fd);
    return;
  }
  uv_loop_t* loop = node::GetCurrentEventLoop(iso);
  if (uv_poll_init(loop, &b->poll, fd) != 0) {
    close(fd);
    return;
  }
  b->iso = iso;
  b->fd = fd;
  b->pid = CurrentPid();
  b->poll.data = b;
  b->callback.Reset(iso, a[1].As<Function>());
  node::AddEnvironmentCleanupHook(iso, CloseBell, b);
  a.GetReturnValue().Set(true);
}

// bellListen(on): polls the doorbell while someone waits on it (a polled bell keeps the loop alive).
void BellListen(const FunctionCallbackInfo<Value>& a) {
  Doorbell* b = BellOf(a);
  if (b->fd < 0 || b->pid != CurrentPid()) return;
  bool on = a[0]->BooleanValue(a.GetIsolate());
  if (on && !b->polling) b->polling = uv_poll_start(&b->poll, UV_READABLE, OnReadable) == 0;
  else if (!on && b->polling) {
    uv_poll_stop(&b->poll);
    b->polling = false;
  }
}

// bellRing(id) -> bool: rings doorbell `id`; false when nobody holds that name (the caller wakes another way).
void BellRing(const FunctionCallbackInfo<Value>& a) {
  if (g_sender < 0 || g_sender_pid != CurrentPid()) {
    if (g_sender >= 0) close(g_sender);  // the copy a fork inherited
    g_sender = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    g_sender_pid = CurrentPid();
  }
  struct sockaddr_un addr;
  socklen_t len = BellAddress(static_cast<uint32_t>(IntArg(a, 0)), &addr);
  char byte = 0;
  ssize_t r = g_sender < 0 ? -1 : sendto(g_sender, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<struct sockaddr*>(&addr), len);
  // EAGAIN: its queue is full of rings it has not read yet, so it will wake anyway.
  a.GetReturnValue().Set(r == 1 || errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

void InitDoorbell(const Exports& exports) {
  exports.Set("bellOpen", BellOpen);
  exports.Set("bellListen", BellListen);
  exports.Set("bellRing", BellRing);
}

}  // namespace skein
