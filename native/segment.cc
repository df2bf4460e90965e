// Segments: memfd-backed shared memory handed to JavaScript as real
// SharedArrayBuffers, so Atomics run directly on memory shared by every thread
// and process that attached it. Anonymous memfds never appear in /dev/shm and
// are freed by the kernel once the last fd and mapping are gone (SIGKILL
// included). Another process attaches by opening /proc/PID/fd/FD of any living
// holder; a token in the segment header proves it got the right one. A
// process-wide registry lets every thread share one mapping per segment.
// Segments are sealed against shrinking (F_SEAL_SHRINK, then F_SEAL_SEAL):
// any process of the same user can open /proc/PID/fd/N, and a truncated
// segment would kill every holder with SIGBUS on its next access. Attaching
// accepts only a file carrying those seals, so a descriptor naming some other
// file (an empty or short token matched any file's first bytes) maps nothing.
// Also: named POSIX shm (SharedMemory), giving pages back (discard),
// faulting them in ahead of use (populate), copying large payloads in and
// out through the memfd rather than the mapping (readSegment, writeSegment),
// and telling V8 what mapped segments cost.
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <mutex>

namespace skein {
namespace {

constexpr size_t kHeaderTokenBytes = 16;  // the first 16 bytes of a segment hold its token
constexpr int kSeals = F_SEAL_SHRINK | F_SEAL_SEAL;  // no shrinking, and no further seals (F_SEAL_FUTURE_WRITE would stop attaches)

struct Mapping {
  std::string token;
  int fd;
  void* addr;
  size_t size;
  int refs;  // BackingStores made over this mapping whose deleter has not run yet
  // The one BackingStore every thread's SharedArrayBuffer of this segment
  // shares. V8's Atomics.wait/notify match waiters by BackingStore, not by
  // address: with one store per thread, a notify never reached a waiter in
  // another thread, and V8 took that waiter's node for a stale one and freed
  // it (free(): invalid pointer, the process aborted).
  std::weak_ptr<v8::BackingStore> store;
};

std::mutex g_seg_mutex;
std::map<std::string, Mapping*> g_segments;  // token -> mapping, process-wide
std::map<void*, Mapping*> g_by_addr;         // mapped address -> mapping (readSegment/writeSegment find the fd by it)

// Called with g_seg_mutex held.
void Register(Mapping* m) {
  g_segments[m->token] = m;
  g_by_addr[m->addr] = m;
}

void ReleaseMapping(void*, size_t, void* data) {
  Mapping* m = static_cast<Mapping*>(data);
  std::lock_guard<std::mutex> lock(g_seg_mutex);
  if (--m->refs > 0) return;
  g_segments.erase(m->token);
  g_by_addr.erase(m->addr);
  munmap(m->addr, m->size);
  if (m->fd >= 0) close(m->fd);
  delete m;
}

// The mapping's store. Called with g_seg_mutex held. A store whose last
// holder just let go may still have its deleter pending: then a new one is
// made, and `refs` keeps the mapping until both deleters ran.
std::shared_ptr<v8::BackingStore> StoreFor(Mapping* m) {
  std::shared_ptr<v8::BackingStore> store = m->store.lock();
  if (!store) {
    m->refs++;
    store = SharedArrayBuffer::NewBackingStore(m->addr, m->size, ReleaseMapping, m);
    m->store = store;
  }
  return store;
}

// A SharedArrayBuffer over `store`. Called WITHOUT g_seg_mutex: making it
// allocates on the JS heap, and the collection that may trigger can sweep
// dead SharedArrayBuffers on this very thread (a fork server child runs V8
// single-threaded), running their deleters (ReleaseMapping), which take the
// mutex: held here, the thread waited for itself for ever (found: a forked
// child making queues in a loop hung in ~1 run in 5).
void ReturnSab(const FunctionCallbackInfo<Value>& a, std::shared_ptr<v8::BackingStore> store) {
  a.GetReturnValue().Set(SharedArrayBuffer::New(a.GetIsolate(), std::move(store)));
}

// createSegment(token, size, memfdName?) -> SharedArrayBuffer; token is written to the header.
// memfdName (default "skein-segment") is what /proc/PID/fd/N links to
// ("/memfd:NAME (deleted)"): the observability registry is found by it.
void CreateSegment(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  std::string token = StrArg(a, 0);
  int64_t size = IntArg(a, 1);
  std::string name = a.Length() > 2 && a[2]->IsString() ? StrArg(a, 2) : std::string("skein-segment");
  if (token.size() != kHeaderTokenBytes || size < static_cast<int64_t>(kHeaderTokenBytes) ||
      name.empty() || name.size() > 64 || name.find('/') != std::string::npos) {
    Throw(iso, "createSegment: bad token, size or name");
    return;
  }
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return ThrowErrno(iso, "memfd_create");
  if (ftruncate(fd, size) != 0) {
    close(fd);
    return ThrowErrno(iso, "ftruncate");
  }
  if (fcntl(fd, F_ADD_SEALS, kSeals) != 0) {
    close(fd);
    return ThrowErrno(iso, "fcntl(F_ADD_SEALS)");
  }
  void* addr = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    close(fd);
    return ThrowErrno(iso, "mmap");
  }
  memcpy(addr, token.data(), token.size());
  Mapping* m = new Mapping{token, fd, addr, static_cast<size_t>(size), 0};
  std::shared_ptr<v8::BackingStore> store;
  {
    std::lock_guard<std::mutex> lock(g_seg_mutex);
    Register(m);
    store = StoreFor(m);
  }
  ReturnSab(a, std::move(store));
}

// attachSegment(token, pid, fd, size) -> SharedArrayBuffer | undefined (holder gone)
void AttachSegment(const FunctionCallbackInfo<Value>& a) {
  std::string token = StrArg(a, 0);
  int pid = static_cast<int>(IntArg(a, 1));
  int hfd = static_cast<int>(IntArg(a, 2));
  int64_t want = IntArg(a, 3);
  if (token.size() != kHeaderTokenBytes || pid <= 0 || hfd < 0 || want < static_cast<int64_t>(kHeaderTokenBytes)) {
    return;  // not a descriptor this addon made: nothing to attach
  }
  size_t size = static_cast<size_t>(want);
  std::shared_ptr<v8::BackingStore> store;
  {
    std::lock_guard<std::mutex> lock(g_seg_mutex);
    auto it = g_segments.find(token);
    if (it != g_segments.end()) store = StoreFor(it->second);
  }
  if (store) return ReturnSab(a, std::move(store));
  std::string path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(hfd);
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return;  // holder gone: undefined
  // Only a sealed segment (see the top): its size can't drop under the mapping.
  int seals = fcntl(fd, F_GET_SEALS);
  struct stat st;
  if (seals < 0 || (seals & kSeals) != kSeals || fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < size) {
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
  {
    std::lock_guard<std::mutex> lock(g_seg_mutex);
    auto it = g_segments.find(token);  // another thread may have attached meanwhile
    if (it != g_segments.end()) {
      munmap(addr, size);
      close(fd);
      store = StoreFor(it->second);
    } else {
      Mapping* m = new Mapping{token, fd, addr, size, 0};
      Register(m);
      store = StoreFor(m);
    }
  }
  ReturnSab(a, std::move(store));
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
      int truncate_errno = errno;
      close(fd);
      shm_unlink(name.c_str());
      errno = truncate_errno;
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
  int mmap_errno = errno;
  close(fd);
  if (addr == MAP_FAILED) {
    if (create) shm_unlink(name.c_str());  // ours (O_EXCL): leave nothing in /dev/shm
    errno = mmap_errno;
    return ThrowErrno(iso, "mmap");
  }
  Mapping* m = new Mapping{"named:" + name + ":" + std::to_string(reinterpret_cast<uintptr_t>(addr)), -1, addr,
                           static_cast<size_t>(size), 0};
  std::shared_ptr<v8::BackingStore> store;
  {
    std::lock_guard<std::mutex> lock(g_seg_mutex);
    Register(m);
    store = StoreFor(m);
  }
  ReturnSab(a, std::move(store));
}

void UnlinkNamed(const FunctionCallbackInfo<Value>& a) {
  std::string name = "/" + StrArg(a, 0);
  a.GetReturnValue().Set(shm_unlink(name.c_str()) == 0 ? 0 : errno);
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

// populate(buffer, byteOffset, length) -> 0 or errno. Faults pages in ahead of
// use (MADV_POPULATE_WRITE, Linux 5.14): one call costs a few microseconds a
// page where touching each page costs a page fault (tens of microseconds on
// a VM). A SharedArrayBuffer (a segment) takes a page-aligned range: a
// queue's ring calls it for its first pages and ahead of its writers. An
// ArrayBuffer (a Buffer about to receive a large item) takes any range; the
// whole pages inside it are faulted in. Older kernels: each page is touched
// with an atomic add of 0, which never changes what another process wrote.
void Populate(const FunctionCallbackInfo<Value>& a) {
  Isolate* iso = a.GetIsolate();
  long page = sysconf(_SC_PAGESIZE);
  int64_t off = IntArg(a, 1);
  int64_t len = IntArg(a, 2);
  char* data;
  size_t size;
  bool shared = a[0]->IsSharedArrayBuffer();
  if (shared) {
    Local<SharedArrayBuffer> sab = a[0].As<SharedArrayBuffer>();
    data = static_cast<char*>(sab->Data());
    size = sab->ByteLength();
  } else if (a[0]->IsArrayBuffer()) {
    Local<v8::ArrayBuffer> ab = a[0].As<v8::ArrayBuffer>();
    data = static_cast<char*>(ab->Data());
    size = ab->ByteLength();
  } else {
    return Throw(iso, "populate: expected a SharedArrayBuffer or an ArrayBuffer");
  }
  if (off < 0 || len <= 0 || static_cast<size_t>(off + len) > size ||
      (shared && (off % page != 0 || len % page != 0))) {
    return Throw(iso, "populate: the range must lie inside the buffer (page-aligned for a segment)");
  }
  uintptr_t from = (reinterpret_cast<uintptr_t>(data + off) + page - 1) & ~static_cast<uintptr_t>(page - 1);
  uintptr_t to = reinterpret_cast<uintptr_t>(data + off + len) & ~static_cast<uintptr_t>(page - 1);
  if (to <= from) return a.GetReturnValue().Set(0);
  char* base = reinterpret_cast<char*>(from);
  size_t bytes = to - from;
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
  if (madvise(base, bytes, MADV_POPULATE_WRITE) == 0) return a.GetReturnValue().Set(0);
  if (errno != EINVAL) return a.GetReturnValue().Set(errno);
  for (size_t at = 0; at < bytes; at += page) __atomic_fetch_add(base + at, 0, __ATOMIC_RELAXED);
  a.GetReturnValue().Set(0);
}

// The memfd behind a segment's SharedArrayBuffer, or -1 (named shm keeps
// none). The fd stays open while `sab` is alive: the caller holds it.
int FdOf(Local<SharedArrayBuffer> sab) {
  std::lock_guard<std::mutex> lock(g_seg_mutex);
  auto it = g_by_addr.find(sab->Data());
  return it == g_by_addr.end() ? -1 : it->second->fd;
}

// readSegment(sab, byteOffset, view, length) / writeSegment(sab, byteOffset,
// view, length) -> 0, an errno, or -1 (no memfd): copy `length` bytes
// between a segment and the start of a typed array or DataView with pread /
// pwrite on the segment's memfd. Why: on a VM whose hypervisor shadows each
// process's page tables, a process's first touch of a segment page costs a
// fault the guest does not see (~7 us here), and a queue's large items
// land on pages the reader has not touched yet (its ring moves on and gives
// pages back), so copying 1 MiB through the mapping took ~2 ms; the
// kernel copies through its own mapping of the page cache in ~0.2 ms. On
// any error the caller copies through the mapping instead (a partial
// pwrite is overwritten then).
void CopySegment(const FunctionCallbackInfo<Value>& a, bool write) {
  Isolate* iso = a.GetIsolate();
  const char* name = write ? "writeSegment" : "readSegment";
  if (!a[0]->IsSharedArrayBuffer() || !a[2]->IsArrayBufferView()) {
    return Throw(iso, std::string(name) + ": expected a SharedArrayBuffer and a typed array");
  }
  Local<SharedArrayBuffer> sab = a[0].As<SharedArrayBuffer>();
  Local<v8::ArrayBufferView> view = a[2].As<v8::ArrayBufferView>();
  int64_t off = IntArg(a, 1);
  int64_t len = IntArg(a, 3);
  if (off < 0 || len <= 0 || static_cast<size_t>(off + len) > sab->ByteLength() ||
      static_cast<size_t>(len) > view->ByteLength()) {
    return Throw(iso, std::string(name) + ": the range must lie inside the segment and the array");
  }
  int fd = FdOf(sab);
  if (fd < 0) return a.GetReturnValue().Set(-1);
  char* bytes = static_cast<char*>(view->Buffer()->Data()) + view->ByteOffset();
  size_t done = 0;
  while (done < static_cast<size_t>(len)) {
    ssize_t n = write ? pwrite(fd, bytes + done, len - done, off + done) : pread(fd, bytes + done, len - done, off + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return a.GetReturnValue().Set(n == 0 ? EIO : errno);
    done += static_cast<size_t>(n);
  }
  a.GetReturnValue().Set(0);
}

void ReadSegment(const FunctionCallbackInfo<Value>& a) { CopySegment(a, false); }
void WriteSegment(const FunctionCallbackInfo<Value>& a) { CopySegment(a, true); }

// adjustExternalMemory(bytes) -> void. Tells V8 what a segment costs outside
// its heap: V8 does not count shared backing stores, so without this a loop
// that creates and drops segments never triggers the collection that unmaps
// them (file descriptors and mappings run out first).
void AdjustExternalMemory(const FunctionCallbackInfo<Value>& a) {
  a.GetIsolate()->AdjustAmountOfExternalAllocatedMemory(IntArg(a, 0));
}

}  // namespace

void InitSegment(const Exports& exports) {
  exports.Set("createSegment", CreateSegment);
  exports.Set("attachSegment", AttachSegment);
  exports.Set("segmentFd", SegmentFd);
  exports.Set("openNamed", OpenNamed);
  exports.Set("unlinkNamed", UnlinkNamed);
  exports.Set("discard", Discard);
  exports.Set("populate", Populate);
  exports.Set("readSegment", ReadSegment);
  exports.Set("writeSegment", WriteSegment);
  exports.Set("adjustExternalMemory", AdjustExternalMemory);
}

}  // namespace skein
