<?php

declare(strict_types=1);

namespace SafeShm\SimpleCache\Tests;

use ArrayIterator;
use DateInterval;
use Psr\SimpleCache\CacheException as PsrCacheException;
use Psr\SimpleCache\CacheInterface;
use Psr\SimpleCache\InvalidArgumentException as PsrInvalidArgument;
use SafeShm\SimpleCache\Cache;
use SafeShm\SimpleCache\CacheException;
use SafeShm\SimpleCache\InvalidArgumentException;
use stdClass;

final class CacheTest extends StoreTestCase
{
    private function cache(string $namespace = 'app:'): Cache
    {
        return new Cache($this->store(), $namespace);
    }

    public function testIsAPsr16Cache(): void
    {
        $this->assertInstanceOf(CacheInterface::class, $this->cache());
        $this->assertTrue(is_subclass_of(InvalidArgumentException::class, PsrInvalidArgument::class));
        $this->assertTrue(is_subclass_of(CacheException::class, PsrCacheException::class));
    }

    public function testSetGetHasDelete(): void
    {
        $c = $this->cache();
        $this->assertNull($c->get('missing'));
        $this->assertSame('fallback', $c->get('missing', 'fallback'));
        $this->assertFalse($c->has('k'));
        $this->assertTrue($c->set('k', 'v'));
        $this->assertSame('v', $c->get('k', 'fallback'));
        $this->assertTrue($c->has('k'));
        $this->assertTrue($c->set('k', 'replaced'));
        $this->assertSame('replaced', $c->get('k'));
        $this->assertTrue($c->delete('k'));
        $this->assertFalse($c->has('k'));
        $this->assertTrue($c->delete('k'), 'deleting a missing key is not an error');
    }

    public function testNullIsStoredAndSeenByHas(): void
    {
        $c = $this->cache();
        $c->set('n', null);
        $this->assertTrue($c->has('n'));
        $this->assertNull($c->get('n', 'default'));
    }

    /** @return iterable<string, array{mixed}> */
    public function values(): iterable
    {
        yield 'string' => ['hello'];
        yield 'binary' => ["\x00\xff\x80"];
        yield 'empty string' => [''];
        yield 'int' => [PHP_INT_MIN];
        yield 'float' => [-0.5];
        yield 'true' => [true];
        yield 'false' => [false];
        yield 'array' => [['a' => [1, 2], 'b' => ['c' => null]]];
    }

    /** @dataProvider values */
    public function testValuesKeepTheirType(mixed $value): void
    {
        $c = $this->cache();
        $c->set('v', $value);
        $this->assertSame($value, $c->get('v'));
    }

    public function testObjectsComeBackEqual(): void
    {
        $c = $this->cache();
        $o = new stdClass();
        $o->list = [1, 2];
        $c->set('o', $o);
        $this->assertEquals($o, $c->get('o'));
        $this->assertNotSame($o, $c->get('o'));
    }

    public function testFalseIsAValueNotAMiss(): void
    {
        $c = $this->cache();
        $c->set('f', false);
        $this->assertFalse($c->get('f', 'default'));
    }

    public function testIntKeysAreTheirDigits(): void
    {
        $c = $this->cache('');
        $c->set(7, 'seven');
        $this->assertSame('seven', $c->get('7'));
        $this->assertSame(['7' => 'seven'], $c->getMultiple([7]));
    }

    /** @return iterable<string, array{mixed}> */
    public function invalidKeys(): iterable
    {
        yield 'empty' => [''];
        foreach (str_split('{}()/\\@:') as $ch) {
            yield "contains $ch" => ["a{$ch}b"];
        }
        yield 'float' => [1.5];
        yield 'bool' => [true];
        yield 'null' => [null];
        yield 'array' => [['k']];
        yield 'object' => [new stdClass()];
        yield 'longer than the store allows' => [str_repeat('k', 4096)];
    }

    /** @dataProvider invalidKeys */
    public function testInvalidKeysAreRejectedByEveryMethod(mixed $key): void
    {
        $c = $this->cache();
        $calls = [
            'get' => fn() => $c->get($key),
            'set' => fn() => $c->set($key, 'v'),
            'has' => fn() => $c->has($key),
            'delete' => fn() => $c->delete($key),
            'getMultiple' => fn() => $c->getMultiple(['ok', $key]),
            'setMultiple' => fn() => $c->setMultiple(is_int($key) || is_string($key) ? ['ok' => 1, $key => 'v']
                : new KeyedIterator([['ok', 1], [$key, 'v']])),
            'deleteMultiple' => fn() => $c->deleteMultiple(['ok', $key]),
        ];
        foreach ($calls as $method => $call) {
            try {
                $call();
                $this->fail("$method() accepted the key " . var_export($key, true));
            } catch (PsrInvalidArgument $e) {
                $this->assertInstanceOf(InvalidArgumentException::class, $e);
            }
        }
        $this->assertFalse($c->has('ok'), 'an invalid key in a batch writes nothing');
    }

    public function testLegalKeysWithOtherPunctuation(): void
    {
        $c = $this->cache();
        $key = 'A-Za-z0-9_.' . str_repeat('x', 53) . '!#$%&*+,;<=>?[]^`|~ é';
        $this->assertTrue($c->set($key, 1));
        $this->assertSame(1, $c->get($key));
    }

    public function testNamespaceKeepsCachesApart(): void
    {
        $store = $this->store();
        $a = new Cache($store, 'a:');
        $b = new Cache($store, 'b:');
        $a->set('k', 'from a');
        $b->set('k', 'from b');
        $this->assertSame('from a', $a->get('k'));
        $this->assertSame('from b', $b->get('k'));
        $this->assertSame('from a', $store->get('a:k'));
    }

    public function testClearDeletesOnlyItsNamespace(): void
    {
        $this->requireApi('deletePrefix');
        $store = $this->store();
        $a = new Cache($store, 'a:');
        $b = new Cache($store, 'b:');
        $a->set('x', 1);
        $a->set('y', 2);
        $b->set('x', 3);
        $store->put('unrelated', 4);
        $this->assertTrue($a->clear());
        $this->assertFalse($a->has('x'));
        $this->assertFalse($a->has('y'));
        $this->assertSame(3, $b->get('x'));
        $this->assertSame(4, $store->get('unrelated'));
    }

    public function testClearWithoutNamespaceClearsTheStore(): void
    {
        $store = $this->store();
        $c = new Cache($store);
        $c->set('x', 1);
        $store->put('other', 2);
        $this->assertTrue($c->clear());
        $this->assertSame(0, count($store));
    }

    public function testGetMultipleWithDefaultsAndAnyIterable(): void
    {
        $c = $this->cache();
        $c->set('a', 1);
        $c->set('c', 3);
        $this->assertSame(['a' => 1, 'b' => 'none', 'c' => 3], $c->getMultiple(['a', 'b', 'c'], 'none'));
        $gen = (static function () {
            yield 'c';
            yield 'a';
        })();
        $this->assertSame(['c' => 3, 'a' => 1], $this->toArray($c->getMultiple($gen)));
        $this->assertSame(['a' => 1], $this->toArray($c->getMultiple(new ArrayIterator(['a']))));
        $this->assertSame([], $this->toArray($c->getMultiple([])));
    }

    public function testSetMultipleAndDeleteMultiple(): void
    {
        $this->requireApi('putMultiple', 'deleteMultiple');
        $c = $this->cache();
        $this->assertTrue($c->setMultiple(['a' => 1, 'b' => [2], 7 => 'seven']));
        $this->assertSame(['a' => 1, 'b' => [2], '7' => 'seven'], $c->getMultiple(['a', 'b', '7']));
        $gen = (static function () {
            yield 'x' => 'from a generator';
        })();
        $this->assertTrue($c->setMultiple($gen));
        $this->assertSame('from a generator', $c->get('x'));
        $this->assertTrue($c->deleteMultiple(new ArrayIterator(['a', 'b', 'missing'])));
        $this->assertSame(['a' => null, 'b' => null, 'x' => 'from a generator'], $c->getMultiple(['a', 'b', 'x']));
        $this->assertTrue($c->setMultiple([]));
        $this->assertTrue($c->deleteMultiple([]));
    }

    /** @return iterable<string, array{string, mixed}> */
    public function notIterables(): iterable
    {
        foreach (['getMultiple', 'setMultiple', 'deleteMultiple'] as $m) {
            yield "$m string" => [$m, 'a,b'];
            yield "$m null" => [$m, null];
            yield "$m object" => [$m, new stdClass()];
        }
    }

    /** @dataProvider notIterables */
    public function testMultipleMethodsNeedAnIterable(string $method, mixed $arg): void
    {
        $this->expectException(PsrInvalidArgument::class);
        $this->cache()->$method($arg);
    }

    public function testTtlIsPassedToTheStore(): void
    {
        $this->requireApi('put/3', 'meta');
        $store = $this->store();
        $c = new Cache($store, 'app:');
        $c->set('int', 'v', 300);
        $c->set('interval', 'v', new DateInterval('PT2H'));
        $c->set('forever', 'v');
        $ttl = $store->meta('app:int')['ttl'];
        $this->assertGreaterThan(0, $ttl);
        $this->assertLessThanOrEqual(300, $ttl);
        $ttl = $store->meta('app:interval')['ttl'];
        $this->assertGreaterThan(3600, $ttl);
        $this->assertLessThanOrEqual(7200, $ttl);
        $this->assertNull($store->meta('app:forever')['ttl']);
    }

    public function testDefaultTtlAppliesToNullOnly(): void
    {
        $this->requireApi('put/3', 'meta');
        $store = $this->store();
        $c = new Cache($store, 'app:', 60);
        $c->set('default', 'v');
        $c->set('explicit', 'v', 600);
        $this->assertLessThanOrEqual(60, $store->meta('app:default')['ttl']);
        $this->assertGreaterThan(60, $store->meta('app:explicit')['ttl']);
    }

    public function testSetMultipleWithTtl(): void
    {
        $this->requireApi('putMultiple', 'meta');
        $store = $this->store();
        $c = new Cache($store, 'app:');
        $c->setMultiple(['a' => 1, 'b' => 2], new DateInterval('PT30S'));
        foreach (['app:a', 'app:b'] as $id) {
            $ttl = $store->meta($id)['ttl'];
            $this->assertGreaterThan(0, $ttl);
            $this->assertLessThanOrEqual(30, $ttl);
        }
    }

    /** @return iterable<string, array{mixed}> */
    public function expiredTtls(): iterable
    {
        yield 'zero' => [0];
        yield 'negative' => [-10];
        yield 'negative interval' => [(static function () {
            $i = new DateInterval('PT1M');
            $i->invert = 1;
            return $i;
        })()];
        yield 'empty interval' => [new DateInterval('PT0S')];
    }

    /** @dataProvider expiredTtls */
    public function testZeroOrNegativeTtlDeletes(mixed $ttl): void
    {
        $c = $this->cache();
        $c->set('k', 'v');
        $this->assertTrue($c->set('k', 'new', $ttl));
        $this->assertFalse($c->has('k'));
    }

    /** @dataProvider expiredTtls */
    public function testZeroOrNegativeTtlDeletesInSetMultiple(mixed $ttl): void
    {
        $this->requireApi('deleteMultiple');
        $c = $this->cache();
        $c->set('a', 1);
        $this->assertTrue($c->setMultiple(['a' => 2, 'b' => 3], $ttl));
        $this->assertSame(['a' => null, 'b' => null], $c->getMultiple(['a', 'b']));
    }

    /** @return iterable<string, array{mixed}> */
    public function invalidTtls(): iterable
    {
        yield 'string' => ['60'];
        yield 'float' => [1.5];
        yield 'array' => [[60]];
        yield 'object' => [new stdClass()];
    }

    /** @dataProvider invalidTtls */
    public function testInvalidTtlIsRejected(mixed $ttl): void
    {
        $c = $this->cache();
        try {
            $c->set('k', 'v', $ttl);
            $this->fail('set() accepted the TTL');
        } catch (PsrInvalidArgument) {
        }
        try {
            $c->setMultiple(['k' => 'v'], $ttl);
            $this->fail('setMultiple() accepted the TTL');
        } catch (PsrInvalidArgument) {
        }
        $this->assertFalse($c->has('k'));
    }

    public function testAnItemExpires(): void
    {
        $this->requireApi('put/3');
        $c = $this->cache();
        $c->set('short', 'v', 1);
        $c->set('long', 'v', 3600);
        $this->assertTrue($c->has('short'));
        usleep(1_500_000); /* a TTL of one second is over after one and a half, however slow the machine */
        $this->assertFalse($c->has('short'));
        $this->assertSame('gone', $c->get('short', 'gone'));
        $this->assertTrue($c->has('long'));
    }

    public function testFullStoreReturnsFalseAndKeepsTheOldValue(): void
    {
        $c = new Cache($this->store('small', 8192), 'app:');
        $this->assertTrue($c->set('k', 'old'));
        $this->assertFalse($c->set('k', str_repeat('x', 100000)));
        $this->assertSame('old', $c->get('k'));
    }

    public function testRemovedStoreThrowsCacheException(): void
    {
        $store = $this->store();
        $c = new Cache($store, 'app:');
        $c->set('k', 'v');
        $store->remove();
        $this->expectException(PsrCacheException::class);
        $c->get('k');
    }

    public function testBadConstructorArguments(): void
    {
        $this->expectException(InvalidArgumentException::class);
        new Cache($this->store(), 'app:', -1);
    }

    public function testAnotherProcessSeesTheItems(): void
    {
        $store = $this->store();
        $c = new Cache($store, 'app:');
        $c->set('shared', ['pid' => getmypid()]);
        $child = tempnam(sys_get_temp_dir(), 'safeshm-psr16-child-');
        file_put_contents($child, '<?php require ' . var_export(__DIR__ . '/bootstrap.php', true) . ';'
            . ' $c = new SafeShm\SimpleCache\Cache(new SafeShm($argv[1]), "app:");'
            . ' echo json_encode($c->get("shared")); $c->set("reply", "from child");');
        $cmd = array_merge(self::phpCommand(), [$child, $store->info()['name']]);
        $out = shell_exec(implode(' ', array_map('escapeshellarg', $cmd)));
        unlink($child);
        $this->assertSame(json_encode(['pid' => getmypid()]), $out);
        $this->assertSame('from child', $c->get('reply'));
    }

    /** The PHP command line of this process, with the extension it loaded. */
    public static function phpCommand(): array
    {
        $args = trim((string) getenv('SAFESHM_PHP_ARGS'));
        return array_merge([PHP_BINARY], $args === '' ? [] : preg_split('/\s+/', $args));
    }

    private function toArray(iterable $it): array
    {
        $out = [];
        foreach ($it as $k => $v) {
            $out[$k] = $v;
        }
        return $out;
    }
}

/** An iterator that yields any keys (for invalid keys in setMultiple). */
final class KeyedIterator implements \Iterator
{
    private int $i = 0;

    /** @param list<array{0: mixed, 1: mixed}> $pairs */
    public function __construct(private array $pairs)
    {
    }

    public function current(): mixed
    {
        return $this->pairs[$this->i][1];
    }

    public function key(): mixed
    {
        return $this->pairs[$this->i][0];
    }

    public function next(): void
    {
        $this->i++;
    }

    public function rewind(): void
    {
        $this->i = 0;
    }

    public function valid(): bool
    {
        return $this->i < count($this->pairs);
    }
}
