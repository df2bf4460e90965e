// The async futex wait: one waiter thread per JS environment sleeps on up to
// 127 words at once with futex_waitv (Linux >= 5.16), plus a control word that
// is bumped whenever its set changes, and posts completions to the event loop
// through a uv_async handle. JS dedupes local waiters on a word (wait.ts), so
// the count of native threads is bounded by the number of distinct words
// waited on, never by the number of waiting tasks.
#include "common.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace skein {

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
  std::vector<Entry> entries;    // guarded by owner->mu
  std::vector<Entry> cancelled;  // guarded by owner->mu: see PassOnCancelled
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

// A cancelled entry may still be queued in the kernel inside the futex_waitv
// that was running when it was cancelled, and a FUTEX_WAKE of one waiter can
// pick it: that wake would reach nobody. So once that futex_waitv has returned
// (no entry of this thread is queued any more), every cancelled entry whose
// word moved since it was queued (a waker always moves the word before it
// wakes) passes one wake on. At worst that wake is spurious; waiters re-check.
void PassOnCancelled(WaitThread* t) {
  for (Entry& e : t->cancelled) {
    if (__atomic_load_n(e.addr, __ATOMIC_SEQ_CST) != e.expected) {
      syscall(SYS_futex, e.addr, FUTEX_WAKE, 1, nullptr, nullptr, 0);
    }
  }
  t->cancelled.clear();
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
      PassOnCancelled(t);
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

AsyncWaiter* WaiterFor(const FunctionCallbackInfo<Value>& a) {
  PerEnv* env = EnvOf(a);
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

// cancelWait(id) -> bool: drop a pending async wait. True: its completion
// will not arrive; false: it already completed (the completion is on its way).
void CancelWait(const FunctionCallbackInfo<Value>& a) {
  AsyncWaiter* w = WaiterFor(a);
  double id = NumArg(a, 0);
  std::lock_guard<std::mutex> lock(w->mu);
  a.GetReturnValue().Set(false);
  for (auto& t : w->threads) {
    for (size_t i = 0; i < t->entries.size(); i++) {
      if (t->entries[i].id == id) {
        a.GetReturnValue().Set(true);
        t->cancelled.push_back(std::move(t->entries[i]));
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

// In a forked child the waiter's threads do not exist: never join nor destroy them.
void ForgetWaiterThreads(PerEnv* env) {
  if (env->waiter == nullptr) return;
  AsyncWaiter* w = env->waiter;
  for (auto& t : w->threads) t.release();
  w->threads.clear();
  w->done.clear();
  w->pending = 0;
}

void InitWaiter(const Exports& exports) {
  exports.Set("setWakeCallback", SetWakeCallback);
  exports.Set("waitAsync", WaitAsync);
  exports.Set("cancelWait", CancelWait);
}

}  // namespace skein
