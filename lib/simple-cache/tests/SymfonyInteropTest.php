<?php

declare(strict_types=1);

namespace SafeShm\SimpleCache\Tests;

use DateInterval;
use SafeShm;
use SafeShm\SimpleCache\Cache;
use Symfony\Component\Cache\Adapter\Psr16Adapter;
use Symfony\Component\Cache\Psr16Cache;
use Symfony\Contracts\Cache\ItemInterface;

/**
 * The cache through Symfony Cache: as a PSR-6 pool and a cache-contracts cache (Psr16Adapter), and back to
 * PSR-16 (Psr16Cache over that adapter), the way a Symfony application wires a PSR-16 backend.
 */
final class SymfonyInteropTest extends StoreTestCase
{
    protected function setUp(): void
    {
        if (!class_exists(Psr16Adapter::class)) {
            $this->fail('needs symfony/cache (Debian: php-symfony-cache)');
        }
        /* Psr16Adapter saves with setMultiple(), and deletes with deleteMultiple() */
        $this->requireApi('putMultiple', 'deleteMultiple');
    }

    private function adapter(SafeShm $store): Psr16Adapter
    {
        return new Psr16Adapter(new Cache($store, 'sf:'), 'app');
    }

    public function testPsr6ItemsAreSharedThroughTheStore(): void
    {
        $this->requireApi('meta');
        $store = $this->store();
        $pool = $this->adapter($store);
        $item = $pool->getItem('user.42');
        $this->assertFalse($item->isHit());
        $item->set(['name' => 'Ada', 'roles' => ['admin']]);
        $item->expiresAfter(600);
        $this->assertTrue($pool->save($item));

        /* a second pool (as in another php-fpm worker) over the same store sees the item */
        $other = $this->adapter(new SafeShm($store->info()['name']));
        $seen = $other->getItem('user.42');
        $this->assertTrue($seen->isHit());
        $this->assertSame(['name' => 'Ada', 'roles' => ['admin']], $seen->get());

        $keys = $store->keys();
        $this->assertNotEmpty($keys);
        foreach ($keys as $k) {
            $this->assertStringStartsWith('sf:', (string) $k, 'every item lives in the cache namespace');
        }
        $ttl = $store->meta($keys[0])['ttl'];
        $this->assertGreaterThan(0, $ttl, 'expiresAfter() reaches the store as a TTL');
        $this->assertLessThanOrEqual(600, $ttl);

        $this->assertTrue($other->deleteItem('user.42'));
        $this->assertFalse($pool->getItem('user.42')->isHit());
    }

    public function testContractsGetComputesOnceForEveryProcess(): void
    {
        $store = $this->store();
        $calls = 0;
        $compute = function (ItemInterface $item) use (&$calls): string {
            $calls++;
            $item->expiresAfter(60);
            return 'computed';
        };
        $this->assertSame('computed', $this->adapter($store)->get('report', $compute));
        $this->assertSame('computed', $this->adapter($store)->get('report', $compute));
        $this->assertSame(1, $calls);
        $this->assertTrue($this->adapter($store)->delete('report'));
        $this->adapter($store)->get('report', $compute);
        $this->assertSame(2, $calls);
    }

    public function testClearThroughSymfonyKeepsOtherData(): void
    {
        $this->requireApi('deletePrefix');
        $store = $this->store();
        $store->put('not-a-cache-item', 'stays');
        $pool = $this->adapter($store);
        $pool->save($pool->getItem('a')->set(1));
        $pool->save($pool->getItem('b')->set(2));
        $this->assertTrue($pool->clear());
        $this->assertFalse($this->adapter($store)->getItem('a')->isHit());
        $this->assertSame(['not-a-cache-item'], $store->keys());
    }

    public function testPsr16CacheOverTheAdapter(): void
    {
        $store = $this->store();
        $cache = new Psr16Cache($this->adapter($store));
        $this->assertTrue($cache->set('k', ['v' => 1], new DateInterval('PT1H')));
        $this->assertSame(['v' => 1], $cache->get('k'));
        $this->assertTrue($cache->has('k'));
        $this->assertTrue($cache->setMultiple(['a' => 'A', 'b' => 'B'], 120));
        $this->assertSame(['a' => 'A', 'b' => 'B', 'c' => 'none'], iterator_to_array($cache->getMultiple(['a', 'b', 'c'], 'none')));
        $this->assertTrue($cache->deleteMultiple(['a', 'b']));
        $this->assertFalse($cache->has('a'));
        $this->assertTrue($cache->delete('k'));
        $this->assertSame('default', $cache->get('k', 'default'));
    }
}
