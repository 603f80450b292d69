<?php

declare(strict_types=1);

namespace SafeShm\SimpleCache;

/** A key, a TTL or a list of them that PSR-16 does not allow. */
final class InvalidArgumentException extends \InvalidArgumentException implements \Psr\SimpleCache\InvalidArgumentException
{
}
