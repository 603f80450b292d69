<?php

declare(strict_types=1);

namespace SafeShm\SimpleCache\Tests;

use Psr\SimpleCache\CacheInterface;
use ReflectionClass;
use SafeShm\SimpleCache\Cache;

/**
 * One codebase for psr/simple-cache 1.0 (installed here: Debian bookworm's php-psr-simple-cache), 2.0 and
 * 3.0: the class is loaded against each version's interface in its own process.
 */
final class Psr16VersionsTest extends StoreTestCase
{
    public function testImplementsTheInstalledVersion(): void
    {
        $this->assertTrue((new ReflectionClass(Cache::class))->implementsInterface(CacheInterface::class));
    }

    /** @return iterable<string, array{string}> */
    public function versions(): iterable
    {
        yield '2.0' => ['2.0'];
        yield '3.0' => ['3.0'];
    }

    /** @dataProvider versions */
    public function testLoadsAgainstVersion(string $version): void
    {
        $cmd = array_merge(CacheTest::phpCommand(), [
            __DIR__ . '/fixtures/load_with_interface.php',
            __DIR__ . "/fixtures/psr-simple-cache-$version.php",
            self::runTag() . '-v' . $version,
        ]);
        $out = shell_exec(implode(' ', array_map('escapeshellarg', $cmd)) . ' 2>&1');
        $this->assertSame("ok\n", $out, "psr/simple-cache $version");
    }
}
