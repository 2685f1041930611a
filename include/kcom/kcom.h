/*
 * kcom/kcom.h - everything kcom offers, in one include.
 */
#ifndef KCOM_KCOM_H
#define KCOM_KCOM_H

/* A system header to its consumers (kcom's own builds check it with KCOM_HEADER_WARNINGS). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(KCOM_HEADER_WARNINGS)
#pragma GCC system_header
#endif
/* cl.exe has no system headers: the same, as a warning level of 0 until the end of the file. */
#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(push, 0)
#endif

#include <kcom/compiler.h>
#include <kcom/types.h>
#include <kcom/status.h>
#include <kcom/guid.h>
#include <kcom/trace.h>
#include <kcom/failfast.h>
#include <kcom/debug.h>
#include <kcom/atomic.h>
#include <kcom/allocator.h>
#include <kcom/counting_allocator.h>
#include <kcom/caching_allocator.h>
#include <kcom/interface.h>
#include <kcom/unknown.h>
#include <kcom/refcount.h>
#include <kcom/object.h>
#include <kcom/implement.h>
#include <kcom/client.h>
#include <kcom/runtime.h>
#include <kcom/unicode_string.h>
#if defined(KCOM_ENABLE_ASYNC) && KCOM_ENABLE_ASYNC
#include <kcom/async.h>
#include <kcom/awaitable.h>
#include <kcom/tracker.h>
#endif
#if defined(KCOM_ENABLE_KERNEL_EXECUTORS) && KCOM_ENABLE_KERNEL_EXECUTORS
#include <kcom/dpc_executor.h>
#include <kcom/work_item_executor.h>
#endif

#if defined(_MSC_VER) && !defined(__clang__) && !defined(KCOM_HEADER_WARNINGS)
#pragma warning(pop)
#endif
#endif /* KCOM_KCOM_H */
