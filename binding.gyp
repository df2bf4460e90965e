{
  "targets": [
    {
      "target_name": "skein",
      "sources": [
        "native/addon.cc",
        "native/common.cc",
        "native/segment.cc",
        "native/wait.cc",
        "native/waiter.cc",
        "native/process.cc",
        "native/fork.cc",
        "native/file.cc",
        "native/doorbell.cc",
        "native/quiet.cc"
      ],
      "cflags_cc": ["-std=c++20", "-O2", "-fno-exceptions"],
      "cflags_cc!": ["-std=gnu++17", "-fno-rtti"]
    }
  ]
}
