// Shared by every file of the addon: the V8 names used, argument helpers, the
// per-environment state, and one Init function per concern (each file
// registers its own bindings; addon.cc calls them all).
#pragma once

#include <node.h>
#include <uv.h>
#include <v8.h>

#include <stdint.h>
#include <time.h>

#include <string>

namespace skein {

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

// ---------------------------------------------------------------- helpers (common.cc)

void Throw(Isolate* iso, const std::string& msg);
void ThrowErrno(Isolate* iso, const std::string& what);
int64_t IntArg(const FunctionCallbackInfo<Value>& a, int i);
double NumArg(const FunctionCallbackInfo<Value>& a, int i);
std::string StrArg(const FunctionCallbackInfo<Value>& a, int i);
// Address of the 32-bit word at byteOffset inside a SharedArrayBuffer (throws and returns null if out of range).
uint32_t* WordAt(const FunctionCallbackInfo<Value>& a, int sabIndex, int offIndex);
// An absolute CLOCK_MONOTONIC time `ms` from now.
struct timespec DeadlineIn(double ms);
int64_t NowNs();
// The state letter in a /proc stat file (`/proc/<tid>/stat`, `/proc/self/task/<tid>/stat`):
// -1 when it can't be opened (errno says why), 0 when it reads nothing, '?' when it can't be parsed.
int ProcState(const std::string& path);

// ---------------------------------------------------------------- per JS environment

struct AsyncWaiter;  // waiter.cc

// One per JS environment (main thread or worker), passed to every binding as its data.
struct PerEnv {
  AsyncWaiter* waiter = nullptr;
  void* bell = nullptr;  // doorbell.cc
};

inline PerEnv* EnvOf(const FunctionCallbackInfo<Value>& a) {
  return static_cast<PerEnv*>(a.Data().As<v8::External>()->Value());
}

// Waits (at most budget_ns) until every other thread of this process sleeps in the kernel (quiet.cc).
bool WaitOthersAsleep(int64_t budget_ns);

// This process's id without a system call each time (glibc no longer caches
// getpid): a forked child forgets it (ForgetPid, from the fork server's child
// path and a pthread_atfork handler) and reads it again (common.cc).
pid_t CurrentPid();
void ForgetPid();

// In a forked child only the forking thread exists: forget the async waiter's threads (waiter.cc).
void ForgetWaiterThreads(PerEnv* env);

// ---------------------------------------------------------------- registration

struct Exports {
  Isolate* iso;
  Local<Context> ctx;
  Local<Object> obj;
  Local<Value> data;
  void Set(const char* name, v8::FunctionCallback fn) const;
};

void InitSegment(const Exports& exports);  // segment.cc
void InitWait(const Exports& exports);     // wait.cc
void InitWaiter(const Exports& exports);   // waiter.cc
void InitProcess(const Exports& exports);  // process.cc
void InitFork(const Exports& exports);     // fork.cc
void InitFile(const Exports& exports);     // file.cc
void InitDoorbell(const Exports& exports); // doorbell.cc

}  // namespace skein
