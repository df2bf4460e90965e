// skein's native substrate: the few things only the kernel can do.
//
// - Segments: memfd-backed shared memory handed to JavaScript as real
//   SharedArrayBuffers, so Atomics run directly on memory shared by every
//   thread and process that attached it. Anonymous memfds never appear in
//   /dev/shm and are freed by the kernel once the last fd and mapping are gone
//   (SIGKILL included). Another process attaches by opening /proc/PID/fd/FD of
//   any living holder; a token in the segment header proves it got the right one.
//   A process-wide registry lets every thread share one mapping per segment.
// - Named segments (SharedMemory): shm_open, for unrelated processes.
// - futex wait/wake on shared (non-private) addresses: a blocking form and an
//   async form. The async form is one waiter thread per JS environment that
//   sleeps on up to 127 words at once with futex_waitv (plus a control word
//   that is bumped whenever its set changes) and posts completions to the event
//   loop through a uv_async handle; JS dedupes local waiters on a word.
// - Lifecycle helpers: PR_SET_PDEATHSIG, gettid, thread liveness (tgkill 0),
//   pidfd-based process exit waits without reaping (waitid WNOWAIT), flock.
#include <node.h>
#include <uv.h>
#include <v8.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using v8::Array;
using v8::BigInt;
using v8::Boolean;
using v8::Context;
using v8::Function;
using v8::FunctionCallbackInfo;
using v8::Global;
using v8::HandleScope;
using v8::Integer;
using v8::Isolate;
using v8::Local;
using v8::Number;
using v8::Object;
using v8::SharedArrayBuffer;
using v8::String;
using v8::Value;

namespace {

// ---------------------------------------------------------------- helpers

void Throw(Isolate* iso, const std::string& msg) {
  iso->ThrowException(v8::Exception::Error(String::NewFromUtf8(iso, msg.c_str()).ToLocalChecked()));
}

void ThrowErrno(Isolate* iso, const std::string& what) {
  Throw(iso, what + ": " + strerror(errno));
}

int64_t IntArg(const FunctionCallbackInfo<Value>& a, int i) {
  return static_cast<int64_t>(a[i]->NumberValue(a.GetIsolate()->GetCurrentContext()).FromMaybe(0));
}

double NumArg(const FunctionCallbackInfo<Value>& a, int i) {
  return a[i]->NumberValue(a.GetIsolate()->GetCurrentContext()).FromMaybe(0);
}

std::string StrArg(const FunctionCallbackInfo<Value>& a, int i) {
  String::Utf8Value s(a.GetIsolate(), a[i]);
  return *s ? std::string(*s) : std::string();
}

// Address of the 32-bit word at byteOffset inside a SharedArrayBuffer.
uint32_t* WordAt(const FunctionCallbackInfo<Value>& a, int sabIndex, int offIndex) {
  Isolate* iso = a.GetIsolate();
  if (!a[sabIndex]->IsSharedArrayBuffer()) {
    Throw(iso, "expected a SharedArrayBuffer");
    return nullptr;
  }
  Local<SharedArrayBuffer> sab = a[sabIndex].As<SharedArrayBuffer>();
  int64_t off = IntArg(a, offIndex);
  if (off < 0 || (off & 3) != 0 || static_cast<size_t>(off) + 4 > sab->ByteLength()) {
    Throw(iso, "futex word offset out of range or unaligned");
    return nullptr;
  }
  return reinterpret_cast<uint32_t*>(static_cast<char*>(sab->Data()) + off);
}

struct timespec DeadlineIn(double ms) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  int64_t ns = static_cast<int64_t>(ms * 1e6);
  ts.tv_sec += ns / 1000000000;
  ts.tv_nsec += ns % 1000000000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000;
  }
  return ts;
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// ---------------------------------------------------------------- segments

constexpr size_t kHeaderTokenBytes = 16;  // the first 16 bytes of a segment hold its token

struct Mapping {
  std::string token;
  int fd;
  void* addr;
  size_t size;
  int refs;
};

std::mutex g_seg_mutex;
std::map<std::string, Mapping*> g_segments;  // token -> mapping, process-wide

void ReleaseMapping(void*, size_t, void* data) {
  Mapping* m = static_cast<Mapping*>(data);
  std::lock_guard<std::mutex> lock(g_seg_mutex);
  if (--m->refs > 0) return;
  g_segments.erase(m->token);
  munmap(m->addr, m->size);
  if (m->fd >= 0) close(m->fd);
  delete m;
}

Local<SharedArrayBuffer> SabFor(Isolate* iso, Mapping* m) {
  // Called with g_seg_mutex held.
  m->refs++;
  std::unique_ptr<v8::BackingStore> store =
      SharedArrayBuffer::NewBackingStore(m->addr, m->size, ReleaseMapping, m);
  return SharedArrayBuffer::New(iso, std::move(store));
}

// createSegment(token, size, memfdName?) -> SharedArrayBuffer; token is written to the header.
// memfdName (default "skein-segment") is what /proc/PID/fd/N links to
// ("/memfd:NAME (deleted)"): the observability registry is found by it.
void CreateSegment(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  std::string token = StrArg(a, 0);
  int64_t size = IntArg(a, 1);
  std::string name = a.Length() > 2 && a[2]->IsString() ? StrArg(a, 2) : std::string("skein-segment");
  if (token.size() > kHeaderTokenBytes || size < static_cast<int64_t>(kHeaderTokenBytes) ||
      name.empty() || name.size() > 64 || name.find('/') != std::string::npos) {
    Throw(iso, "createSegment: bad token, size or name");
    return;
  }
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC);
  if (fd < 0) return ThrowErrno(iso, "memfd_create");
  if (ftruncate(fd, size) != 0) {
    close(fd);
    return ThrowErrno(iso, "ftruncate");
  }
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    close(fd);
    return ThrowErrno(iso, "mmap");
  }
  memcpy(addr, token.data(), token.size());
  Mapping* m = new Mapping{token, fd, addr, static_cast<size_t>(size), 0};
  std::lock_guard<std::mutex> lock(g_seg_mutex);
  g_segments[token] = m;
  a.GetReturnValue().Set(SabFor(iso, m));
}

// attachSegment(token, pid, fd, size) -> SharedArrayBuffer | undefined (holder gone)
void AttachSegment(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  std::string token = StrArg(a, 0);
  int pid = static_cast<int>(IntArg(a, 1));
  int hfd = static_cast<int>(IntArg(a, 2));
  size_t size = static_cast<size_t>(IntArg(a, 3));
  {
    std::lock_guard<std::mutex> lock(g_seg_mutex);
    auto it = g_segments.find(token);
    if (it != g_segments.end()) {
      a.GetReturnValue().Set(SabFor(iso, it->second));
      return;
    }
  }
  std::string path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(hfd);
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;  // holder gone: undefined
  struct stat st;
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < size) {
    close(fd);
    return;
  }
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    close(fd);
    return;
  }
  if (memcmp(addr, token.data(), token.size()) != 0) {  // the fd number was reused
    munmap(addr, size);
    close(fd);
    return;
  }
  std::lock_guard<std::mutex> lock(g_seg_mutex);
  auto it = g_segments.find(token);  // another thread may have attached meanwhile
  if (it != g_segments.end()) {
    munmap(addr, size);
    close(fd);
    a.GetReturnValue().Set(SabFor(iso, it->second));
    return;
  }
  Mapping* m = new Mapping{token, fd, addr, size, 0};
  g_segments[token] = m;
  a.GetReturnValue().Set(SabFor(iso, m));
}

// segmentFd(token) -> fd of this process's mapping, or -1
void SegmentFd(const FunctionCallbackInfo<Value>& a) {
  std::string token = StrArg(a, 0);
  std::lock_guard<std::mutex> lock(g_seg_mutex);
  auto it = g_segments.find(token);
  a.GetReturnValue().Set(it == g_segments.end() ? -1 : it->second->fd);
}

// openNamed(name, size, create) -> SharedArrayBuffer. Named POSIX shm.
void OpenNamed(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  std::string name = "/" + StrArg(a, 0);
  int64_t size = IntArg(a, 1);
  bool create = a[2]->BooleanValue(iso);
  int fd = shm_open(name.c_str(), create ? (O_RDWR | O_CREAT | O_EXCL) : O_RDWR, 0600);
  if (fd < 0) return ThrowErrno(iso, std::string("shm_open ") + name);
  if (create) {
    if (ftruncate(fd, size) != 0) {
      close(fd);
      shm_unlink(name.c_str());
      return ThrowErrno(iso, "ftruncate");
    }
  } else {
    struct stat st;
    if (fstat(fd, &st) != 0) {
      close(fd);
      return ThrowErrno(iso, "fstat");
    }
    size = st.st_size;
  }
  if (size <= 0) {
    close(fd);
    Throw(iso, "shared memory segment has size 0");
    return;
  }
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (addr == MAP_FAILED) return ThrowErrno(iso, "mmap");
  Mapping* m = new Mapping{"named:" + name + ":" + std::to_string(reinterpret_cast<uintptr_t>(addr)), -1, addr,
                           static_cast<size_t>(size), 0};
  std::lock_guard<std::mutex> lock(g_seg_mutex);
  g_segments[m->token] = m;
  a.GetReturnValue().Set(SabFor(iso, m));
}

void UnlinkNamed(const FunctionCallbackInfo<Value>& a) {
  std::string name = "/" + StrArg(a, 0);
  a.GetReturnValue().Set(shm_unlink(name.c_str()) == 0 ? 0 : errno);
}

// ---------------------------------------------------------------- futex

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

// ---------------------------------------------------------------- async waiter

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#ifndef FUTEX_32
#define FUTEX_32 2
struct futex_waitv {
  uint64_t val;
  uint64_t uaddr;
  uint32_t flags;
  uint32_t __reserved;
};
#endif

constexpr size_t kMaxWords = 127;  // futex_waitv takes 128; one slot is the control word

struct Entry {
  double id;
  uint32_t* addr;
  uint32_t expected;
  int64_t deadline;  // monotonic ns, or INT64_MAX
  std::shared_ptr<v8::BackingStore> keep;  // keeps the memory mapped while we wait on it
};

struct Completion {
  double id;
  int result;  // 0 woken / value changed, 1 timed out
};

// One per JS environment (main thread or worker). Its threads wait; JS is told
// through uv_async. Each thread handles up to 127 words; more threads are added
// only when more distinct words are waited on at once, so the count stays
// bounded by (distinct words / 127) + 1 and no fixed pool can deadlock.
struct AsyncWaiter;

struct WaitThread {
  AsyncWaiter* owner;
  std::thread th;
  std::atomic<uint32_t> ctrl{0};
  std::vector<Entry> entries;  // guarded by owner->mu
};

struct AsyncWaiter {
  Isolate* iso;
  uv_async_t async;
  Global<Function> callback;
  std::mutex mu;
  std::vector<std::unique_ptr<WaitThread>> threads;
  std::vector<Completion> done;  // guarded by mu
  size_t pending = 0;            // entries across threads, guarded by mu
  bool stopping = false;
  bool referenced = false;
};

void Poke(WaitThread* t) {
  t->ctrl.fetch_add(1);
  // FUTEX_WAKE, not _PRIVATE: the waitv entry for ctrl is a shared-key wait.
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&t->ctrl), FUTEX_WAKE, INT32_MAX, nullptr, nullptr, 0);
}

void WaitLoop(WaitThread* t) {
  AsyncWaiter* w = t->owner;
  std::vector<struct futex_waitv> vec;
  std::vector<double> ids;
  for (;;) {
    int64_t nearest = INT64_MAX;
    {
      std::unique_lock<std::mutex> lock(w->mu);
      if (w->stopping) return;
      vec.clear();
      ids.clear();
      uint32_t c = t->ctrl.load();
      vec.push_back({c, reinterpret_cast<uint64_t>(&t->ctrl), FUTEX_32, 0});
      for (Entry& e : t->entries) {
        vec.push_back({e.expected, reinterpret_cast<uint64_t>(e.addr), FUTEX_32, 0});
        ids.push_back(e.id);
        if (e.deadline < nearest) nearest = e.deadline;
      }
    }
    struct timespec ts;
    struct timespec* tsp = nullptr;
    if (nearest != INT64_MAX) {
      ts.tv_sec = nearest / 1000000000;
      ts.tv_nsec = nearest % 1000000000;
      tsp = &ts;
    }
    long r = syscall(SYS_futex_waitv, vec.data(), vec.size(), 0, tsp, CLOCK_MONOTONIC);
    int woken = r >= 1 ? static_cast<int>(r) - 1 : -1;  // index into entries, -1: none/ctrl
    bool any = false;
    {
      std::unique_lock<std::mutex> lock(w->mu);
      if (w->stopping) return;
      int64_t now = NowNs();
      std::vector<Entry> keep;
      keep.reserve(t->entries.size());
      for (size_t i = 0; i < t->entries.size(); i++) {
        Entry& e = t->entries[i];
        bool changed = __atomic_load_n(e.addr, __ATOMIC_SEQ_CST) != e.expected;
        bool hit = woken >= 0 && i < ids.size() && ids[woken] == e.id;
        if (changed || hit) {
          w->done.push_back({e.id, 0});
          any = true;
        } else if (e.deadline <= now) {
          w->done.push_back({e.id, 1});
          any = true;
        } else {
          keep.push_back(std::move(e));
        }
      }
      w->pending -= t->entries.size() - keep.size();
      t->entries.swap(keep);
    }
    if (any) uv_async_send(&w->async);
  }
}

void OnAsync(uv_async_t* handle) {
  AsyncWaiter* w = static_cast<AsyncWaiter*>(handle->data);
  std::vector<Completion> done;
  bool idle;
  {
    std::lock_guard<std::mutex> lock(w->mu);
    done.swap(w->done);
    idle = w->pending == 0;
  }
  if (idle && w->referenced) {
    uv_unref(reinterpret_cast<uv_handle_t*>(&w->async));
    w->referenced = false;
  }
  if (done.empty() || w->callback.IsEmpty()) return;
  Isolate* iso = w->iso;
  HandleScope scope(iso);
  Local<Function> cb = w->callback.Get(iso);
  Local<Context> ctx = cb->GetCreationContextChecked();
  Context::Scope cscope(ctx);
  Local<Array> arr = Array::New(iso, static_cast<int>(done.size() * 2));
  for (size_t i = 0; i < done.size(); i++) {
    arr->Set(ctx, static_cast<uint32_t>(2 * i), Number::New(iso, done[i].id)).Check();
    arr->Set(ctx, static_cast<uint32_t>(2 * i + 1), Integer::New(iso, done[i].result)).Check();
  }
  Local<Value> argv[] = {arr};
  node::MakeCallback(iso, ctx->Global(), cb, 1, argv, {0, 0});
}

void StopWaiter(void* arg) {
  AsyncWaiter* w = static_cast<AsyncWaiter*>(arg);
  {
    std::lock_guard<std::mutex> lock(w->mu);
    w->stopping = true;
  }
  for (auto& t : w->threads) {
    Poke(t.get());
    if (t->th.joinable()) t->th.join();
  }
  w->threads.clear();
  w->callback.Reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&w->async),
           [](uv_handle_t* h) { delete static_cast<AsyncWaiter*>(h->data); });
}

struct PerEnv {
  AsyncWaiter* waiter = nullptr;
};

AsyncWaiter* WaiterFor(const FunctionCallbackInfo<Value>& a) {
  PerEnv* env = static_cast<PerEnv*>(a.Data().As<v8::External>()->Value());
  if (env->waiter) return env->waiter;
  Isolate* iso = a.GetIsolate();
  AsyncWaiter* w = new AsyncWaiter();
  w->iso = iso;
  uv_loop_t* loop = node::GetCurrentEventLoop(iso);
  uv_async_init(loop, &w->async, OnAsync);
  w->async.data = w;
  uv_unref(reinterpret_cast<uv_handle_t*>(&w->async));
  node::AddEnvironmentCleanupHook(iso, StopWaiter, w);
  env->waiter = w;
  return w;
}

// setWakeCallback(fn): fn(flatArray [id, result, id, result, ...]) on completions.
void SetWakeCallback(const FunctionCallbackInfo<Value>& a) {
  AsyncWaiter* w = WaiterFor(a);
  w->callback.Reset(a.GetIsolate(), a[0].As<Function>());
}

// waitAsync(sab, byteOffset, expected, timeoutMs, id): completion arrives via the callback.
void WaitAsync(const FunctionCallbackInfo<Value>& a) {
  uint32_t* addr = WordAt(a, 0, 1);
  if (!addr) return;
  AsyncWaiter* w = WaiterFor(a);
  uint32_t expected = static_cast<uint32_t>(static_cast<int64_t>(NumArg(a, 2)));
  double ms = NumArg(a, 3);
  double id = NumArg(a, 4);
  int64_t deadline = ms < 0 ? INT64_MAX : NowNs() + static_cast<int64_t>(ms * 1e6);
  Entry e{id, addr, expected, deadline, a[0].As<SharedArrayBuffer>()->GetBackingStore()};
  std::lock_guard<std::mutex> lock(w->mu);
  WaitThread* target = nullptr;
  for (auto& t : w->threads) {
    if (t->entries.size() < kMaxWords) {
      target = t.get();
      break;
    }
  }
  if (!target) {
    auto t = std::make_unique<WaitThread>();
    t->owner = w;
    target = t.get();
    w->threads.push_back(std::move(t));
    target->th = std::thread(WaitLoop, target);
  }
  target->entries.push_back(std::move(e));
  w->pending++;
  if (!w->referenced) {
    uv_ref(reinterpret_cast<uv_handle_t*>(&w->async));
    w->referenced = true;
  }
  Poke(target);
}

// cancelWait(id): drop a pending async wait (its completion will not arrive).
void CancelWait(const FunctionCallbackInfo<Value>& a) {
  AsyncWaiter* w = WaiterFor(a);
  double id = NumArg(a, 0);
  std::lock_guard<std::mutex> lock(w->mu);
  for (auto& t : w->threads) {
    for (size_t i = 0; i < t->entries.size(); i++) {
      if (t->entries[i].id == id) {
        t->entries.erase(t->entries.begin() + i);
        w->pending--;
        Poke(t.get());
        if (w->pending == 0 && w->referenced) {
          uv_unref(reinterpret_cast<uv_handle_t*>(&w->async));
          w->referenced = false;
        }
        return;
      }
    }
  }
}

// ---------------------------------------------------------------- lifecycle

void GetTid(const FunctionCallbackInfo<Value>& a) {
  a.GetReturnValue().Set(static_cast<int>(syscall(SYS_gettid)));
}

// threadAlive(tid) -> bool: is the kernel thread tid still running (not gone,
// not a zombie)? Kernel thread ids are unique system-wide while they live.
void ThreadAlive(const FunctionCallbackInfo<Value>& a) {
  int tid = static_cast<int>(IntArg(a, 0));
  std::string path = "/proc/" + std::to_string(tid) + "/stat";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    a.GetReturnValue().Set(errno != ENOENT && errno != ESRCH);
    return;
  }
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  bool alive = n > 0;
  if (n > 0) {
    buf[n] = 0;
    const char* p = strrchr(buf, ')');
    if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X' || p[2] == 'x')) alive = false;
  }
  a.GetReturnValue().Set(alive);
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

// discard(sab, byteOffset, length) -> 0 or errno. Gives the pages of a range of
// a shared segment back to the kernel (MADV_REMOVE on the memfd): a queue's
// ring calls it behind its readers so a long-running queue holds only the
// pages its unread items use. The range reads back as zeros.
void Discard(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  if (!a[0]->IsSharedArrayBuffer()) return Throw(iso, "discard: expected a SharedArrayBuffer");
  Local<SharedArrayBuffer> sab = a[0].As<SharedArrayBuffer>();
  int64_t off = IntArg(a, 1);
  int64_t len = IntArg(a, 2);
  long page = sysconf(_SC_PAGESIZE);
  if (off < 0 || len <= 0 || off % page != 0 || len % page != 0 ||
      static_cast<size_t>(off + len) > sab->ByteLength()) {
    return Throw(iso, "discard: the range must be page-aligned and inside the segment");
  }
  char* base = static_cast<char*>(sab->Data()) + off;
  int r = madvise(base, static_cast<size_t>(len), MADV_REMOVE);
  a.GetReturnValue().Set(r == 0 ? 0 : errno);
}

// ---------------------------------------------------------------- fork server
// The fork server (src/process/forkserver*.ts) is a warm Node process that
// forks children natively. What it takes, beyond fork():
// - V8 marks its heap reservations MADV_DONTFORK: a child would have no heap.
//   Before each fork every such range is set back to MADV_DOFORK.
// - clone(CLONE_PARENT) makes the child a child of the server's parent (the
//   user's process: right ppid, that process reaps it, PDEATHSIG points at it).
//   A raw clone skips glibc's atfork handlers, so the child runs libuv's two
//   by hand (its thread pool re-arms, its signal lock pipe is its own); they
//   are static functions, found by name in the executable's symbol table.
//   Without them (a stripped node, a shared libuv) forking is unavailable.
// - The child re-creates its event loop's kernel state (uv_loop_fork) and
//   replaces fds it must not share with the server (the server's IPC channel)
//   by a socket whose peer is closed, so reading them gives EOF.
// - Only the forking thread exists in the child: it ends with _exit(), never
//   through Node's teardown (which joins threads that are not there).

using ForkHandler = void (*)();
ForkHandler g_uv_reset_threadpool = nullptr;  // libuv threadpool.c: reset_once
ForkHandler g_uv_signal_reinit = nullptr;     // libuv signal.c: uv__signal_global_reinit
bool g_fork_prepared = false;
std::string g_fork_unavailable;

int LoadBiasCallback(struct dl_phdr_info* info, size_t, void* data) {
  *static_cast<uintptr_t*>(data) = info->dlpi_addr;
  return 1;  // the first object is the executable
}

// Looks up local function symbols of the running executable by name. A name
// found more than once counts as not found.
std::string FindExecutableFunctions(std::map<std::string, uintptr_t>& want) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string("cannot open /proc/self/exe: ") + strerror(errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return "cannot stat /proc/self/exe";
  }
  void* map = mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return "cannot map /proc/self/exe";
  const char* base = static_cast<const char*>(map);
  const Elf64_Ehdr* eh = reinterpret_cast<const Elf64_Ehdr*>(base);
  std::string why;
  std::map<std::string, int> seen;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shoff == 0 || eh->e_shoff + static_cast<uint64_t>(eh->e_shnum) * sizeof(Elf64_Shdr) > static_cast<uint64_t>(st.st_size)) {
    why = "the node executable is not a 64-bit ELF file with sections";
  } else {
    uintptr_t bias = 0;
    dl_iterate_phdr(LoadBiasCallback, &bias);
    const Elf64_Shdr* sh = reinterpret_cast<const Elf64_Shdr*>(base + eh->e_shoff);
    bool symtab = false;
    for (int i = 0; i < eh->e_shnum; i++) {
      if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
      symtab = true;
      const Elf64_Shdr& strs = sh[sh[i].sh_link];
      const Elf64_Sym* syms = reinterpret_cast<const Elf64_Sym*>(base + sh[i].sh_offset);
      size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
      for (size_t k = 0; k < n; k++) {
        if (ELF64_ST_TYPE(syms[k].st_info) != STT_FUNC || syms[k].st_name >= strs.sh_size) continue;
        const char* name = base + strs.sh_offset + syms[k].st_name;
        auto it = want.find(name);
        if (it == want.end()) continue;
        it->second = bias + syms[k].st_value;
        seen[name]++;
      }
    }
    if (!symtab) why = "the node executable has no symbol table (stripped)";
  }
  munmap(map, st.st_size);
  if (!why.empty()) return why;
  for (auto& [name, addr] : want) {
    if (seen[name] != 1) return "libuv's " + name + " is not in the node executable's symbol table (node stripped or linked to a shared libuv)";
  }
  return "";
}

// prepareFork() -> '' when this process can fork children, else why not.
void PrepareFork(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  if (!g_fork_prepared) {
    std::map<std::string, uintptr_t> want{{"reset_once", 0}, {"uv__signal_global_reinit", 0}, {"uv_loop_fork", 0}};
    g_fork_unavailable = FindExecutableFunctions(want);
    // The libuv in use must be the executable's own (not a shared libuv).
    if (g_fork_unavailable.empty() && want["uv_loop_fork"] != reinterpret_cast<uintptr_t>(&uv_loop_fork)) {
      g_fork_unavailable = "node uses a shared libuv, whose fork handlers cannot be found";
    }
    if (g_fork_unavailable.empty()) {
      g_uv_reset_threadpool = reinterpret_cast<ForkHandler>(want["reset_once"]);
      g_uv_signal_reinit = reinterpret_cast<ForkHandler>(want["uv__signal_global_reinit"]);
    }
    g_fork_prepared = true;
  }
  a.GetReturnValue().Set(String::NewFromUtf8(iso, g_fork_unavailable.c_str()).ToLocalChecked());
}

// Sets every anonymous mapping to MADV_DOFORK, so V8's MADV_DONTFORK heap
// reservations (VmFlags "dc" in smaps) reach the child. /proc/self/maps is
// read instead of smaps: smaps walks page tables (~5-10 ms for a Node
// process), maps does not (~0.3 ms); DOFORK on a mapping that was never
// DONTFORK changes nothing. Special mappings ([vvar]…) refuse madvise: skipped.
void KeepMappingsOnFork() {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    unsigned long long start = 0, end = 0, offset = 0, inode = 0;
    char perms[8] = {0}, dev[16] = {0};
    int path_at = 0;
    if (sscanf(line.c_str(), "%llx-%llx %7s %llx %15s %llu %n", &start, &end, perms, &offset, dev, &inode, &path_at) < 6) continue;
    if (inode != 0) continue;  // file mappings: not V8's reservations
    if (path_at > 0 && line[path_at] == '[' && line.compare(path_at, 6, "[heap]") != 0 && line.compare(path_at, 7, "[stack]") != 0) continue;
    madvise(reinterpret_cast<void*>(start), end - start, MADV_DOFORK);
  }
}

// Node's platform worker threads (V8's background tasks) wait on a condition
// variable in Node's task queue. A fork copies that condvar with their waits
// recorded in it; in the child, where those threads don't exist, the first
// worker task posted (a full GC's parallel clearing job posts one even under
// --single-threaded) deadlocks in pthread_cond_signal, waiting for waiters
// that vanished. So every worker thread is first handed a task that parks it
// on our own futex: with no thread inside the condvar wait, the child's copy
// is clean. The server's threads are let go right after the clone.
// Rounds are numbered: a thread released from one round may not have looked
// at the release word yet when the next fork starts the next round.
std::atomic<int> g_parked{0};
std::atomic<uint32_t> g_park_round{0};
std::atomic<uint32_t> g_released_round{0};

struct ParkTask : v8::Task {
  explicit ParkTask(uint32_t r) : round(r) {}
  uint32_t round;
  void Run() override {
    if (g_park_round.load() == round) g_parked.fetch_add(1);
    for (;;) {
      uint32_t released = g_released_round.load();
      if (released >= round) return;
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&g_released_round), FUTEX_WAIT_PRIVATE, released, nullptr, nullptr, 0);
    }
  }
};

// Parks every platform worker thread; false if they did not all arrive within 1 s (the fork goes on as before).
bool ParkPlatformWorkers(Isolate* iso) {
  node::MultiIsolatePlatform* platform = node::GetMultiIsolatePlatform(node::GetCurrentEnvironment(iso->GetCurrentContext()));
  if (platform == nullptr) return false;
  // Node counts its delayed-task scheduler thread among the worker threads
  // (node_platform.cc: threads_ holds it too), and that thread never takes
  // worker tasks: n tasks are posted, n - 1 threads park (the spare task runs
  // later, when released, and returns at once).
  int n = platform->NumberOfWorkerThreads();
  int expected = n > 1 ? n - 1 : n;
  g_parked.store(0);
  uint32_t round = g_park_round.fetch_add(1) + 1;
  for (int i = 0; i < n; i++) platform->CallOnWorkerThread(std::make_unique<ParkTask>(round));
  for (int spins = 0; g_parked.load() < expected; spins++) {
    if (spins > 20000) return false;
    struct timespec pause = {0, 20000};
    nanosleep(&pause, nullptr);
  }
  return true;
}

void UnparkPlatformWorkers() {
  g_released_round.store(g_park_round.load());
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&g_released_round), FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr, nullptr, 0);
}

// forkChild(fdsToReplace) -> the child's pid in the server; 0 in the child.
// The child is a child of the server's parent (CLONE_PARENT).
void ForkChild(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  if (!g_fork_prepared || !g_fork_unavailable.empty()) {
    return Throw(iso, "forkChild: this process cannot fork (" + (g_fork_prepared ? g_fork_unavailable : std::string("prepareFork() not called")) + ")");
  }
  std::vector<int> fds;
  if (a[0]->IsArray()) {
    Local<Array> list = a[0].As<Array>();
    Local<Context> ctx = iso->GetCurrentContext();
    for (uint32_t i = 0; i < list->Length(); i++) {
      fds.push_back(static_cast<int>(list->Get(ctx, i).ToLocalChecked()->NumberValue(ctx).FromMaybe(-1)));
    }
  }
  uv_loop_t* loop = node::GetCurrentEventLoop(iso);
  KeepMappingsOnFork();
  ParkPlatformWorkers(iso);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // no signal handler runs between the fork and the loop's re-creation
  long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    int e = errno;
    UnparkPlatformWorkers();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = e;
    return ThrowErrno(iso, "clone");
  }
  if (pid == 0) {
    g_uv_reset_threadpool();
    g_uv_signal_reinit();
    for (int fd : fds) {
      int sp[2];
      if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) continue;
      int fdflags = fcntl(fd, F_GETFD);
      dup2(sp[0], fd);
      if (fdflags >= 0) fcntl(fd, F_SETFD, fdflags);
      close(sp[0]);
      close(sp[1]);
    }
    if (uv_loop_fork(loop) != 0) {
      fprintf(stderr, "skein fork server child: uv_loop_fork failed\n");
      _exit(70);
    }
    // Threads of the server do not exist here: forget the async waiter's.
    PerEnv* env = static_cast<PerEnv*>(a.Data().As<v8::External>()->Value());
    if (env->waiter != nullptr) {
      AsyncWaiter* w = env->waiter;
      for (auto& t : w->threads) t.release();  // never joined nor destroyed
      w->threads.clear();
      w->done.clear();
      w->pending = 0;
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    a.GetReturnValue().Set(0);
    return;
  }
  UnparkPlatformWorkers();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  a.GetReturnValue().Set(static_cast<double>(pid));
}

// exitNow(code): ends this process at once (a fork server child's exit path).
void ExitNow(const FunctionCallbackInfo<Value>& a) {
  int code = static_cast<int>(IntArg(a, 0));
  fflush(stdout);
  fflush(stderr);
  _exit(code);
}

// dupFd(fd) -> a close-on-exec duplicate of fd, or -errno.
void DupFd(const FunctionCallbackInfo<Value>& a) {
  int fd = static_cast<int>(IntArg(a, 0));
  int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  a.GetReturnValue().Set(r < 0 ? -errno : r);
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
// them. So the child holds its loop with a prepare handle that, once nothing
// else keeps the loop alive, calls back ('beforeExit', then 'exit' if still
// idle), and JavaScript ends the process with exitNow().
struct LoopHold {
  uv_prepare_t prepare;
  Isolate* iso;
  Global<Function> callback;
};

bool OnlyHoldAlive(uv_loop_t* loop) {
  return loop->active_handles <= 1 && loop->active_reqs.count == 0 && loop->closing_handles == nullptr &&
         loop->pending_queue.next == &loop->pending_queue;
}

void OnLoopPrepare(uv_prepare_t* handle) {
  LoopHold* h = static_cast<LoopHold*>(handle->data);
  if (!OnlyHoldAlive(handle->loop)) return;
  Isolate* iso = h->iso;
  for (const char* phase : {"beforeExit", "exit"}) {
    HandleScope scope(iso);
    Local<Function> cb = h->callback.Get(iso);
    Local<Context> ctx = cb->GetCreationContextChecked();
    Context::Scope cscope(ctx);
    Local<Value> argv[] = {String::NewFromUtf8(iso, phase).ToLocalChecked()};
    node::MakeCallback(iso, ctx->Global(), cb, 1, argv, {0, 0});
    if (!OnlyHoldAlive(handle->loop)) return;
  }
}

// holdLoop(callback(phase)): see LoopHold.
void HoldLoop(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  if (!a[0]->IsFunction()) return Throw(iso, "holdLoop: expected a callback");
  LoopHold* h = new LoopHold();  // lives as long as the process
  h->iso = iso;
  h->callback.Reset(iso, a[0].As<Function>());
  uv_prepare_init(node::GetCurrentEventLoop(iso), &h->prepare);
  h->prepare.data = h;
  uv_prepare_start(&h->prepare, OnLoopPrepare);
}

int g_child_exit_code = 1;

// setExitCode(code): the code a fatal error ends a fork server child with
// (Node prints the error, runs its at-exit hooks, and this hook _exits).
void SetExitCode(const FunctionCallbackInfo<Value>& a) {
  g_child_exit_code = static_cast<int>(IntArg(a, 0));
}

bool g_signalling_self = false;

// signallingSelf(on): Node runs the at-exit hooks before a process signals
// itself (process.kill(process.pid, sig) with no JS handler for sig); while
// on, the hook lets the signal end the child instead of _exiting with a code.
void SignallingSelf(const FunctionCallbackInfo<Value>& a) {
  g_signalling_self = a[0]->BooleanValue(a.GetIsolate());
}

// armExitHook(): registers the at-exit hook that ends the child with _exit.
void ArmExitHook(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  node::Environment* env = node::GetCurrentEnvironment(iso->GetCurrentContext());
  node::AtExit(env, [](void*) {
    fflush(stdout);
    fflush(stderr);
    if (g_signalling_self) return;
    _exit(g_child_exit_code);
  }, nullptr);
}

// adjustExternalMemory(bytes) -> void. Tells V8 what a segment costs outside
// its heap: V8 does not count shared backing stores, so without this a loop
// that creates and drops segments never triggers the collection that unmaps
// them (file descriptors and mappings run out first).
void AdjustExternalMemory(const FunctionCallbackInfo<Value>& a) {
  a.GetIsolate()->AdjustAmountOfExternalAllocatedMemory(IntArg(a, 0));
}

void Set(Isolate* iso, Local<Context> ctx, Local<Object> exports, const char* name, v8::FunctionCallback fn,
         Local<Value> data) {
  Local<Function> f = v8::FunctionTemplate::New(iso, fn, data)->GetFunction(ctx).ToLocalChecked();
  exports->Set(ctx, String::NewFromUtf8(iso, name).ToLocalChecked(), f).Check();
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* iso = context->GetIsolate();
  PerEnv* env = new PerEnv();
  node::AddEnvironmentCleanupHook(iso, [](void* p) { delete static_cast<PerEnv*>(p); }, env);
  Local<Value> data = v8::External::New(iso, env);
  Set(iso, context, exports, "createSegment", CreateSegment, data);
  Set(iso, context, exports, "attachSegment", AttachSegment, data);
  Set(iso, context, exports, "segmentFd", SegmentFd, data);
  Set(iso, context, exports, "openNamed", OpenNamed, data);
  Set(iso, context, exports, "unlinkNamed", UnlinkNamed, data);
  Set(iso, context, exports, "futexWait", FutexWait, data);
  Set(iso, context, exports, "futexWake", FutexWake, data);
  Set(iso, context, exports, "setWakeCallback", SetWakeCallback, data);
  Set(iso, context, exports, "waitAsync", WaitAsync, data);
  Set(iso, context, exports, "cancelWait", CancelWait, data);
  Set(iso, context, exports, "gettid", GetTid, data);
  Set(iso, context, exports, "threadAlive", ThreadAlive, data);
  Set(iso, context, exports, "setPdeathsig", SetPdeathsig, data);
  Set(iso, context, exports, "waitExit", WaitExit, data);
  Set(iso, context, exports, "flock", Flock, data);
  Set(iso, context, exports, "discard", Discard, data);
  Set(iso, context, exports, "adjustExternalMemory", AdjustExternalMemory, data);
  Set(iso, context, exports, "prepareFork", PrepareFork, data);
  Set(iso, context, exports, "forkChild", ForkChild, data);
  Set(iso, context, exports, "exitNow", ExitNow, data);
  Set(iso, context, exports, "dupFd", DupFd, data);
  Set(iso, context, exports, "watchExit", WatchExit, data);
  Set(iso, context, exports, "refExitWatch", RefExitWatch, data);
  Set(iso, context, exports, "holdLoop", HoldLoop, data);
  Set(iso, context, exports, "setExitCode", SetExitCode, data);
  Set(iso, context, exports, "armExitHook", ArmExitHook, data);
  Set(iso, context, exports, "signallingSelf", SignallingSelf, data);
}
