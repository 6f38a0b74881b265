{
  "targets": [
    {
      "target_name": "netio",
      "sources": ["native/netio.c", "native/advert-backstop.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
