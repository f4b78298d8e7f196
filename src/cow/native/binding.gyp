{
  "targets": [
    {
      "target_name": "cowkv_huge_pages",
      "sources": ["huge-pages.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
