/*
 * cowkv's one native helper: adviseHugePages(view) asks the kernel for transparent huge pages
 * (madvise MADV_HUGEPAGE) for the memory under a typed array.
 * Why: a fresh SharedArrayBuffer is zero pages the kernel maps in on first write, one fault per
 * 4 KiB page, and in a VM each fault traps to the hypervisor (~11 us here): faulting in the heap
 * was most of a snapshot load. With 2 MiB pages a restored heap faults 512 times less often.
 * Where the machine's THP mode is "madvise" (Debian's default) only this asks for them.
 * (MADV_POPULATE_WRITE was tried: it maps 4 KiB pages in-kernel quickly, yet a VM with shadow
 * page tables still trapped on each page's first touch, so a load got slower, not faster.)
 * Invariants: it changes no byte and maps nothing by itself; the range is widened to whole
 * pages of the same allocation's mapping. Returns 0, or the errno (EINVAL where the kernel has
 * no THP), and never throws for that.
 */
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static napi_value AdviseHugePages(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result;
  bool isTypedArray = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_is_typedarray(env, argv[0], &isTypedArray) != napi_ok || !isTypedArray) {
    napi_throw_type_error(env, NULL, "adviseHugePages(view): a Uint8Array is required");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length = 0;
  size_t byteOffset = 0;
  void *data = NULL;
  napi_value arrayBuffer;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &arrayBuffer, &byteOffset) != napi_ok ||
      type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "adviseHugePages(view): a Uint8Array is required");
    return NULL;
  }
  int status = 0;
  if (data != NULL && length > 0) {
    uintptr_t pageBytes = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)data & ~(pageBytes - 1);
    uintptr_t end = ((uintptr_t)data + length + pageBytes - 1) & ~(pageBytes - 1);
    if (madvise((void *)start, end - start, MADV_HUGEPAGE) != 0) status = errno;
  }
  napi_create_int32(env, status, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "adviseHugePages", NAPI_AUTO_LENGTH, AdviseHugePages, NULL, &fn);
  napi_set_named_property(env, exports, "adviseHugePages", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
