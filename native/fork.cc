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
// - No other thread may be inside malloc at the clone (no atfork handler
//   takes its locks): the clone waits until they all sleep (quiet.cc).
#include "common.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <vector>

namespace skein {
namespace {

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

// forkChild(fdsToReplace, own = false) -> the child's pid in the server; 0 in the child.
// The child is a child of the server's parent (CLONE_PARENT), or, when `own`,
// the server's own (a helper the server reaps itself with reapChild).
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
  WaitOthersAsleep(200 * 1000000LL);  // no other thread inside malloc (quiet.cc)
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);  // no signal handler runs between the fork and the loop's re-creation
  bool own = a.Length() > 1 && a[1]->IsTrue();
  long pid = syscall(SYS_clone, (own ? 0 : CLONE_PARENT) | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    int e = errno;
    UnparkPlatformWorkers();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = e;
    return ThrowErrno(iso, "clone");
  }
  if (pid == 0) {
    ForgetPid();  // a raw clone runs no pthread_atfork handler
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
    ForgetWaiterThreads(EnvOf(a));
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    a.GetReturnValue().Set(0);
    return;
  }
  UnparkPlatformWorkers();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  a.GetReturnValue().Set(static_cast<double>(pid));
}

// reapChild(pid) -> the exit code of this process's own child `pid` (waits for
// it), 128 + signal if a signal ended it, -1 if it is not this process's child.
void ReapChild(const FunctionCallbackInfo<Value>& a) {
  pid_t pid = static_cast<pid_t>(IntArg(a, 0));
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  int code = r != pid ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  a.GetReturnValue().Set(code);
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

// lowMemory(): V8's low-memory notification: full collections, then the
// young generation shrunk and free pages given back.
void LowMemory(const FunctionCallbackInfo<Value>& a) {
  a.GetIsolate()->LowMemoryNotification();
}

}  // namespace

void InitFork(const Exports& exports) {
  exports.Set("lowMemory", LowMemory);
  exports.Set("prepareFork", PrepareFork);
  exports.Set("forkChild", ForkChild);
  exports.Set("exitNow", ExitNow);
  exports.Set("reapChild", ReapChild);
  exports.Set("dupFd", DupFd);
  exports.Set("holdLoop", HoldLoop);
  exports.Set("setExitCode", SetExitCode);
  exports.Set("armExitHook", ArmExitHook);
  exports.Set("signallingSelf", SignallingSelf);
}

}  // namespace skein
