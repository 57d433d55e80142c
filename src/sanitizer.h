/* SPDX-License-Identifier: MIT */
/*
 * sanitizer.h - annotations for ThreadSanitizer, for the few races that
 * are intended (each says why where it is used).  No-ops elsewhere.
 */
#ifndef DYNPROBE_SANITIZER_H
#define DYNPROBE_SANITIZER_H

#if defined(__SANITIZE_THREAD__)
#define DP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DP_TSAN 1
#endif
#endif

#ifdef DP_TSAN
/* The dynamic-annotation entry points of the TSan runtime. */
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define DP_TSAN_IGNORE_WRITES_BEGIN() AnnotateIgnoreWritesBegin(__FILE__, __LINE__)
#define DP_TSAN_IGNORE_WRITES_END() AnnotateIgnoreWritesEnd(__FILE__, __LINE__)
#else
#define DP_TSAN_IGNORE_WRITES_BEGIN() ((void)0)
#define DP_TSAN_IGNORE_WRITES_END() ((void)0)
#endif

#endif /* DYNPROBE_SANITIZER_H */
