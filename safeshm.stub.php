<?php

/** @generate-class-entries */

/**
 * A key-value store in one System V shared-memory segment, shared by every
 * process that opens the same key. Every mutation runs under the store's
 * lock (a robust process-shared mutex in the segment, or its SysV semaphore
 * with SEM_UNDO) with a bounded wait; reads take no lock and never wait for a
 * writer. Values keep their PHP type; entries may expire (TTL).
 *
 * @strict-properties
 * @not-serializable
 */
final class SafeShm implements Countable
{
    /**
     * Opens (or creates) the store for $key.
     *
     * @param int|string $key A SysV IPC key (from ftok()) or a segment name.
     * @param int $size Bytes when the segment is created; 0 means ini safeshm.default_size.
     *                  Ignored when the segment exists.
     * @param int $permissions Permission bits when the segment is created.
     * @throws ValueError for a key outside key_t, key 0, or a size below the minimum
     * @throws SafeShmException when the segment cannot be attached or is not a SafeShm store
     */
    public function __construct(int|string $key, int $size = 0, int $permissions = 0600) {}

    /**
     * Stores $value under $key, replacing any previous value atomically.
     *
     * @param int|float $ttl Seconds until the entry expires (fractions allowed); 0 = never.
     * @throws ValueError when $ttl is negative or not finite
     * @throws SafeShmFullException when it does not fit even after reclaiming expired and
     *         TTL entries; the old value stays
     */
    public function put(int|string $key, mixed $value, int|float $ttl = 0): void {}

    /** Returns the value stored under $key, or $default when there is none. */
    public function get(int|string $key, mixed $default = null): mixed {}

    public function has(int|string $key): bool {}

    /** Deletes $key; returns true if it existed. */
    public function delete(int|string $key): bool {}

    /** Stores $value only if $key is absent (or expired); returns whether it was stored. */
    public function add(int|string $key, mixed $value, int|float $ttl = 0): bool {}

    /**
     * Atomically adds $by to the integer stored under $key (a missing key counts from 0)
     * and returns the new value.
     *
     * @throws SafeShmException when the stored value is not an int, or the result would overflow
     */
    public function increment(int|string $key, int $by = 1): int {}

    /** Number of entries. */
    public function count(): int {}

    /**
     * The live keys, those starting with $prefix when given.
     *
     * @return array<int, int|string>
     */
    public function keys(string $prefix = ''): array {}

    /** Deletes every entry (named locks stay held). */
    public function clear(): void {}

    /** Deletes every entry whose key starts with $prefix; returns how many existed. */
    public function deletePrefix(string $prefix): int {}

    /**
     * Gives a live entry a new TTL (0 = never expires); false when $key is absent or expired.
     *
     * @throws ValueError when $ttl is negative or not finite
     */
    public function touch(int|string $key, int|float $ttl): bool {}

    /**
     * What is known of an entry: ['size' => bytes stored, 'ttl' => seconds left or null,
     * 'version' => int (increases on every write of the key), 'created' => unix time,
     * 'updated' => unix time], or null when $key is absent or expired.
     */
    public function meta(int|string $key): ?array {}

    /**
     * Replaces the value only when the live value is identical to $expected (same type and
     * stored bytes: === for scalars and strings, the same serialized form for arrays and
     * objects). A missing key never matches (use add()).
     */
    public function cas(int|string $key, mixed $expected, mixed $new, int|float $ttl = 0): bool {}

    /**
     * Atomic read-modify-write: stores and returns $fn(current value, or $default when absent).
     * $fn runs without the store's lock and runs again when another process wrote the key
     * meanwhile; an exception from $fn propagates and nothing changes.
     *
     * @throws SafeShmTimeoutException when it keeps racing other writers for safeshm.lock_timeout
     */
    public function update(int|string $key, callable $fn, mixed $default = null, int|float $ttl = 0): mixed {}

    /**
     * The value of $key, computed by $compute() on a miss by exactly one process of the host
     * while the others wait (sleeping) for its result; stored with $ttl. With $stale > 0 an
     * entry that expired less than $stale seconds ago is returned at once while one caller
     * recomputes it. If $compute throws, nothing is stored and one waiter takes over; if its
     * process dies, a waiter takes over within 100 ms.
     *
     * @throws SafeShmTimeoutException when no value comes within safeshm.lock_timeout
     */
    public function remember(int|string $key, callable $compute, int|float $ttl = 0, int|float $stale = 0): mixed {}

    /**
     * The values of $keys, keyed as given, read as one consistent snapshot; $default for
     * absent keys.
     */
    public function getMultiple(iterable $keys, mixed $default = null): array {}

    /**
     * Stores every key => value of $values at once: readers see none or all of them, and
     * when they do not all fit, none is stored (SafeShmFullException).
     */
    public function putMultiple(iterable $values, int|float $ttl = 0): void {}

    /** Deletes $keys; returns how many of them existed. */
    public function deleteMultiple(iterable $keys): int {}

    /**
     * A named lock (names are their own namespace: a lock "x" and a key "x" never meet).
     * Returns the held lock, or null when it was not acquired within $wait seconds (0: try
     * once). $ttl > 0: the lock expires that long after acquisition (or the last refresh())
     * even while its holder lives; 0: it lasts until released, the holder's object is
     * destroyed, the request ends, or its process dies. $shared: any number of shared
     * holders at once; an exclusive holder excludes all, and a waiting exclusive locker is
     * served before later shared ones.
     *
     * @throws ValueError for an empty or too long name, or a negative or non-finite $wait or $ttl
     * @throws SafeShmFullException when the store has no room for the lock's state
     */
    public function lock(string $name, int|float $wait = 0, int|float $ttl = 0, bool $shared = false): ?SafeShmLock {}

    /**
     * The named locks held now: each ['name', 'shared', 'pids', 'held_for' (seconds),
     * 'ttl' (seconds left, or null), 'waiters'].
     */
    public function locks(): array {}

    /**
     * Every SafeShm store on this host the caller can read, found through /proc/sysvipc/shm
     * and the segment's magic, without creating or changing anything: each ['key', 'shmid',
     * 'size', 'name', 'layout_version', 'attached', 'uid', 'mode', 'writable'].
     */
    public static function list(): array {}

    /** The existing store under $key (an int key or a name), or null when there is none; never creates one. */
    public static function open(int|string $key): ?SafeShm {}

    /**
     * Sizes and counters: size, used, free, entries, dead, compactions,
     * lock_waits, lock_timeouts, recoveries, and more.
     */
    public function info(): array {}

    /**
     * Runs the full structural check of the segment under the lock.
     *
     * @throws SafeShmCorruptException when the segment is damaged
     */
    public function verify(): bool {}

    /** Removes the segment and its semaphore from the system. */
    public function remove(): void {}

    /**
     * Copies every variable of the ext/sysvshm segment $key (written by shm_put_var())
     * into this store, validating each chunk; returns how many were imported.
     * The sysvshm segment is only read, never changed.
     *
     * @throws SafeShmException when $key holds no sysvshm segment
     * @throws SafeShmCorruptException when its header or a chunk is invalid (nothing is imported then)
     */
    public function importSysvshm(int $key): int {}
}

/**
 * Opens or creates a SafeShm store with sysvshm's shm_attach() contract:
 * warnings and false on system failures, $size and $permissions ignored for
 * an existing segment, $size null = ini safeshm.init_mem.
 */
function safeshm_attach(int $key, ?int $size = null, int $permissions = 0666): SafeShm|false {}

/** Detaches; every later call on $shm throws Error. */
function safeshm_detach(SafeShm $shm): bool {}

/** Marks the segment for removal; $shm stays usable until detached (as with sysvshm). */
function safeshm_remove(SafeShm $shm): bool {}

/** Stores $value under the integer $key; on "Not enough shared memory left" the old value stays. */
function safeshm_put_var(SafeShm $shm, int $key, mixed $value): bool {}

function safeshm_get_var(SafeShm $shm, int $key): mixed {}

function safeshm_has_var(SafeShm $shm, int $key): bool {}

function safeshm_remove_var(SafeShm $shm, int $key): bool {}

/**
 * A named lock held through SafeShm::lock(). Released by release(), when the object is
 * destroyed, at the end of the request (fatal errors and exit() included), or when its
 * process dies.
 *
 * @strict-properties
 * @not-serializable
 */
final class SafeShmLock
{
    /** True when this object still held the lock and released it; false when it had lost it (expired). */
    public function release(): bool {}

    public function isHeld(): bool {}

    public function name(): string {}

    public function shared(): bool {}

    /** A fencing token: strictly increasing over every acquisition of any lock of the store. */
    public function token(): int {}

    /** Extends a still-held lock to $ttl seconds from now (0 = no expiry); false when it was lost. */
    public function refresh(int|float $ttl): bool {}

    /** True when the previous exclusive holder of this name died while holding it. */
    public function previousHolderDied(): bool {}
}

class SafeShmException extends RuntimeException {}

class SafeShmFullException extends SafeShmException {}

class SafeShmTimeoutException extends SafeShmException {}

class SafeShmCorruptException extends SafeShmException {}
