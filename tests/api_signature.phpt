--TEST--
SafeShm exposes exactly the documented methods and signatures
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
$rc = new ReflectionClass('SafeShm');
$methods = $rc->getMethods();
usort($methods, fn($a, $b) => strcmp($a->getName(), $b->getName()));
foreach ($methods as $m) {
    $ps = [];
    foreach ($m->getParameters() as $p) {
        $ps[] = $p->getType() . ' $' . $p->getName()
            . ($p->isDefaultValueAvailable() ? ' = ' . var_export($p->getDefaultValue(), true) : '');
    }
    echo $m->getName(), '(', implode(', ', $ps), ')', $m->hasReturnType() ? ': ' . $m->getReturnType() : '', "\n";
}
?>
--EXPECT--
__construct(string|int $key, int $size = 0, int $permissions = 384)
add(string|int $key, mixed $value, int|float $ttl = 0): bool
cas(string|int $key, mixed $expected, mixed $new, int|float $ttl = 0): bool
clear(): void
count(): int
delete(string|int $key): bool
deleteMultiple(Traversable|array $keys): int
deletePrefix(string $prefix): int
get(string|int $key, mixed $default = NULL): mixed
getMultiple(Traversable|array $keys, mixed $default = NULL): array
has(string|int $key): bool
importSysvshm(int $key): int
increment(string|int $key, int $by = 1): int
info(): array
keys(string $prefix = ''): array
list(): array
lock(string $name, int|float $wait = 0, int|float $ttl = 0, bool $shared = false): ?SafeShmLock
locks(): array
meta(string|int $key): ?array
open(string|int $key): ?SafeShm
put(string|int $key, mixed $value, int|float $ttl = 0): void
putMultiple(Traversable|array $values, int|float $ttl = 0): void
remember(string|int $key, callable $compute, int|float $ttl = 0, int|float $stale = 0): mixed
remove(): void
touch(string|int $key, int|float $ttl): bool
update(string|int $key, callable $fn, mixed $default = NULL, int|float $ttl = 0): mixed
verify(): bool
