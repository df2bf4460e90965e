// The argument helpers every binding uses, and export registration.
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

namespace skein {

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

namespace {
std::atomic<pid_t> g_pid{0};
std::once_flag g_pid_atfork;
}  // namespace

pid_t CurrentPid() {
  pid_t pid = g_pid.load(std::memory_order_relaxed);
  if (pid != 0) return pid;
  std::call_once(g_pid_atfork, [] { pthread_atfork(nullptr, nullptr, ForgetPid); });
  pid = getpid();
  g_pid.store(pid, std::memory_order_relaxed);
  return pid;
}

void ForgetPid() {
  g_pid.store(0, std::memory_order_relaxed);
}

int ProcState(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char* p = strrchr(buf, ')');  // the name may hold spaces and parentheses
  return p != nullptr && p[1] == ' ' ? p[2] : '?';
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void Exports::Set(const char* name, v8::FunctionCallback fn) const {
  Local<Function> f = v8::FunctionTemplate::New(iso, fn, data)->GetFunction(ctx).ToLocalChecked();
  obj->Set(ctx, String::NewFromUtf8(iso, name).ToLocalChecked(), f).Check();
}

}  // namespace skein
