/*
 * How fuzz_store reads its operation parameters from the segment: the
 * header's reserved bytes, which the store zeroes when it formats and never
 * touches again, so an input is one segment and its own script. Shared with
 * gen_seeds, which writes a few scripts into seeds.
 *
 * reserved[0 .. FZ_PRE_LEN)   the preamble, then the fixed program's
 *                              parameters (read as a stream; zeros past it)
 * reserved[FZ_PRE_LEN .. end) the script: ops, each an opcode byte
 *                              (FZ_END or past the end stops) and its own
 *                              parameter bytes
 */
#ifndef SAFESHM_FUZZ_SCRIPT_H
#define SAFESHM_FUZZ_SCRIPT_H

#define FZ_PRE_LEN 64u

/* the preamble */
#define FZ_PRE_TIME   0u /* u16: now = FZ_NOW_BASE + 16 * it */
#define FZ_PRE_FLAGS  2u /* bit 0: init_lock fails; bit 1: lock kind 1 for a format */
#define FZ_PRE_CRASH  3u /* u16: the segment is copied as a killed writer leaves it at this fault-hook call (0: never) */
#define FZ_PRE_RCRASH 5u /* the recovery of that copy is itself "killed" at this fault-hook call (0: never) */
#define FZ_PRE_VALSEED 6u /* the value bytes' pattern */
#define FZ_PRE_PARAMS 7u /* the fixed program's parameters start here */

/* The time seeds are written at and read at (monotonic microseconds). */
#define FZ_NOW_BASE 1000000u

enum {
	FZ_END = 0,
	FZ_PUT,       /* mode, key, value, ttl (, condition) */
	FZ_FIND,      /* key */
	FZ_DELETE,    /* key */
	FZ_INCR,      /* key, by (i16; an opcode byte >= 0x80: INT64_MAX, or INT64_MIN when by is odd), ttl */
	FZ_TOUCH,     /* key, ttl */
	FZ_MANY,      /* count, then key, value each; one ttl */
	FZ_PREFIX,    /* key (its first bytes are the prefix), prefix length */
	FZ_SWEEP,     /* max slots (u8) */
	FZ_TIME,      /* u16: now += 64 * it */
	FZ_FILL,      /* value length selector, ttl: puts new keys until one is FULL (at most 64) */
	FZ_SCAN,      /* iterate, count and stats in every namespace */
	FZ_RECOVER,   /* recover() whether or not it is needed */
	FZ_REOPEN,    /* open() again with the header's name */
	FZ_OPS
};

#endif
