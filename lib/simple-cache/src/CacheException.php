<?php

declare(strict_types=1);

namespace SafeShm\SimpleCache;

/** The store failed in a way a cache cannot hide: it is corrupt, or it was removed. The SafeShm exception is the previous one. */
final class CacheException extends \RuntimeException implements \Psr\SimpleCache\CacheException
{
}
