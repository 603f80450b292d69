<?php

declare(strict_types=1);

namespace SafeShm\SimpleCache;

use DateInterval;
use DateTimeImmutable;
use Psr\SimpleCache\CacheInterface;
use SafeShm;
use SafeShmException;
use SafeShmFullException;
use SafeShmTimeoutException;

/**
 * A PSR-16 cache over a SafeShm store: every PHP process of the host that opens the same store shares it.
 *
 * Items live under "namespace . key" in the store, so several caches (and other data) can share one store;
 * clear() deletes only this cache's namespace. Values keep their PHP type. A TTL is kept by the store:
 * an expired item is a miss for every process.
 *
 * One class serves psr/simple-cache 1.0, 2.0 and 3.0: parameters are untyped (a class may widen the
 * parameter types of 2.0/3.0, and 1.0 has none), and the return types are 3.0's bool, mixed and iterable
 * (a class may narrow the missing return types of 1.0/2.0). Keys and TTLs are checked here, as PSR-16
 * requires, whatever the interface version declares.
 *
 * Failures: set(), setMultiple(), delete(), deleteMultiple() and clear() return false when the store is
 * full or its lock was not acquired in time (the previous values stay); a corrupt or removed store throws
 * CacheException. A value that PHP cannot serialize (a Closure) throws PHP's own exception, as
 * serialize() would.
 */
final class Cache implements CacheInterface
{
    /** PSR-16's reserved characters. */
    private const RESERVED = '{}()/\\@:';
    private const MAX_ID = 4096;

    /**
     * @param SafeShm $store      the store, e.g. new SafeShm('my-app') (created when missing)
     * @param string  $namespace  prefix of every item in the store; "" = the whole store is this cache's.
     *                            End it with a reserved character (e.g. "app:") so that no key of one
     *                            namespace can look like a key of another.
     * @param int     $defaultTtl seconds for set() with a null TTL; 0 = no expiry
     */
    public function __construct(private SafeShm $store, private string $namespace = '', private int $defaultTtl = 0)
    {
        if ($defaultTtl < 0) {
            throw new InvalidArgumentException('the default TTL must be 0 (no expiry) or a number of seconds');
        }
        if (strlen($namespace) >= self::MAX_ID) {
            throw new InvalidArgumentException('the namespace is too long');
        }
    }

    public function get($key, $default = null): mixed
    {
        $id = $this->id($key);
        try {
            return $this->store->get($id, $default);
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
    }

    public function set($key, $value, $ttl = null): bool
    {
        $id = $this->id($key);
        $seconds = $this->seconds($ttl);
        try {
            if ($seconds === null) {
                $this->store->delete($id);
            } elseif ($seconds > 0) {
                $this->store->put($id, $value, $seconds);
            } else {
                $this->store->put($id, $value);
            }
            return true;
        } catch (SafeShmFullException | SafeShmTimeoutException) {
            return false;
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
    }

    public function delete($key): bool
    {
        $id = $this->id($key);
        try {
            $this->store->delete($id);
            return true;
        } catch (SafeShmTimeoutException) {
            return false;
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
    }

    public function clear(): bool
    {
        try {
            if ($this->namespace === '') {
                $this->store->clear();
            } else {
                $this->store->deletePrefix($this->namespace);
            }
            return true;
        } catch (SafeShmTimeoutException) {
            return false;
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
    }

    public function getMultiple($keys, $default = null): iterable
    {
        $ids = $this->ids($keys);
        $out = [];
        try {
            foreach ($ids as [$key, $id]) {
                $out[$key] = $this->store->get($id, $default);
            }
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
        return $out;
    }

    public function setMultiple($values, $ttl = null): bool
    {
        if (!is_iterable($values)) {
            throw new InvalidArgumentException('setMultiple() takes an iterable of key => value, not ' . get_debug_type($values));
        }
        $batch = [];
        foreach ($values as $key => $value) {
            $batch[$this->id($key)] = $value;
        }
        $seconds = $this->seconds($ttl);
        try {
            if ($seconds === null) {
                $this->store->deleteMultiple(array_keys($batch));
            } elseif ($batch && $seconds > 0) {
                $this->store->putMultiple($batch, $seconds);
            } elseif ($batch) {
                $this->store->putMultiple($batch);
            }
            return true;
        } catch (SafeShmFullException | SafeShmTimeoutException) {
            return false;
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
    }

    public function deleteMultiple($keys): bool
    {
        $ids = array_column($this->ids($keys), 1);
        try {
            if ($ids) {
                $this->store->deleteMultiple($ids);
            }
            return true;
        } catch (SafeShmTimeoutException) {
            return false;
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
    }

    public function has($key): bool
    {
        $id = $this->id($key);
        try {
            return $this->store->has($id);
        } catch (SafeShmException $e) {
            throw self::failure($e);
        }
    }

    /** The store key of a PSR-16 key: a non-empty string (an int is taken as its digits) without reserved characters. */
    private function id(mixed $key): string
    {
        if (is_int($key)) {
            $key = (string) $key;
        }
        if (!is_string($key)) {
            throw new InvalidArgumentException('a cache key must be a string, not ' . get_debug_type($key));
        }
        if ($key === '') {
            throw new InvalidArgumentException('a cache key must not be empty');
        }
        if (strpbrk($key, self::RESERVED) !== false) {
            throw new InvalidArgumentException('a cache key must not contain any of ' . self::RESERVED . ': "' . $key . '"');
        }
        if (strlen($this->namespace) + strlen($key) > self::MAX_ID) {
            throw new InvalidArgumentException('a cache key with its namespace must fit in ' . self::MAX_ID . ' bytes');
        }
        return $this->namespace . $key;
    }

    /**
     * Every key of an iterable, checked before anything is read or written.
     *
     * @return list<array{0: string, 1: string}> pairs of PSR-16 key and store key
     */
    private function ids(mixed $keys): array
    {
        if (!is_iterable($keys)) {
            throw new InvalidArgumentException('the keys must be an iterable, not ' . get_debug_type($keys));
        }
        $ids = [];
        foreach ($keys as $key) {
            $id = $this->id($key);
            $ids[] = [(string) $key, $id];
        }
        return $ids;
    }

    /** Seconds to keep an item: 0 = no expiry, null = already expired (PSR-16: delete it). */
    private function seconds(mixed $ttl): int|float|null
    {
        if ($ttl === null) {
            return $this->defaultTtl;
        }
        if (is_int($ttl)) {
            return $ttl > 0 ? $ttl : null;
        }
        if ($ttl instanceof DateInterval) {
            $now = new DateTimeImmutable();
            $seconds = (float) $now->add($ttl)->format('U.u') - (float) $now->format('U.u');
            return $seconds > 0 ? $seconds : null;
        }
        throw new InvalidArgumentException('a TTL must be null, an int or a DateInterval, not ' . get_debug_type($ttl));
    }

    private static function failure(SafeShmException $e): CacheException
    {
        return new CacheException('SafeShm store: ' . $e->getMessage(), 0, $e);
    }
}
