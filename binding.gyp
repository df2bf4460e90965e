{
  "targets": [
    {
      "target_name": "skein",
      "sources": ["native/skein.cc"],
      "cflags_cc": ["-std=c++20", "-O2", "-fno-exceptions"],
      "cflags_cc!": ["-std=gnu++17", "-fno-rtti"]
    }
  ]
}
