<?php

/**
 * ext/sysvshm's API served by SafeShm's locked store. Registered only when
 * ini safeshm.sysvshm_compat is On and ext/sysvshm is not loaded.
 *
 * @generate-class-entries static
 */

/**
 * @strict-properties
 * @not-serializable
 */
final class SysvSharedMemory
{
}

function shm_attach(int $key, ?int $size = null, int $permissions = 0666): SysvSharedMemory|false {}

function shm_detach(SysvSharedMemory $shm): bool {}

function shm_remove(SysvSharedMemory $shm): bool {}

function shm_put_var(SysvSharedMemory $shm, int $key, mixed $value): bool {}

function shm_get_var(SysvSharedMemory $shm, int $key): mixed {}

function shm_has_var(SysvSharedMemory $shm, int $key): bool {}

function shm_remove_var(SysvSharedMemory $shm, int $key): bool {}
