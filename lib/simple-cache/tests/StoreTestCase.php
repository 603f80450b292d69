<?php

declare(strict_types=1);

namespace SafeShm\SimpleCache\Tests;

use PHPUnit\Framework\TestCase;
use SafeShm;

/** Stores private to this process and test, removed after each test. */
abstract class StoreTestCase extends TestCase
{
    /** @var list<SafeShm> */
    private array $stores = [];

    protected function store(string $label = 'main', int $size = 65536): SafeShm
    {
        $name = self::runTag() . '-' . $this->getName(false) . '-' . $label;
        $store = new SafeShm(substr($name, 0, 200), $size);
        $store->clear();
        return $this->stores[] = $store;
    }

    /** The prefix of every store name of this run (SAFESHM_TOOLING_TAG lets a runner remove what a killed run leaves). */
    public static function runTag(): string
    {
        return (getenv('SAFESHM_TOOLING_TAG') ?: 'safeshm-psr16') . '-' . getmypid();
    }

    protected function tearDown(): void
    {
        foreach ($this->stores as $store) {
            try {
                $store->remove();
            } catch (\Throwable) {
                /* removed by the test itself */
            }
        }
        $this->stores = [];
    }

    /** The SafeShm methods a test needs that this build of the extension lacks (they are being added). */
    protected function requireApi(string ...$methods): void
    {
        foreach ($methods as $m) {
            [$name, $params] = explode('/', $m . '/0');
            if (!method_exists(SafeShm::class, $name)
                || (new \ReflectionMethod(SafeShm::class, $name))->getNumberOfParameters() < (int) $params) {
                $this->markAsWaiting("SafeShm::$name()" . ($params ? " with $params parameters" : ''));
            }
        }
    }

    private function markAsWaiting(string $what): void
    {
        /* a failure, not a skip: the suite is not green until the extension has the API */
        $this->fail("waits for the C API: $what");
    }
}
