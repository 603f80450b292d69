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

class SafeShmException extends RuntimeException {}

class SafeShmFullException extends SafeShmException {}

class SafeShmTimeoutException extends SafeShmException {}

class SafeShmCorruptException extends SafeShmException {}
