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
add(string|int $key, mixed $value): bool
clear(): void
count(): int
delete(string|int $key): bool
get(string|int $key, mixed $default = NULL): mixed
has(string|int $key): bool
importSysvshm(int $key): int
increment(string|int $key, int $by = 1): int
info(): array
keys(): array
put(string|int $key, mixed $value): void
remove(): void
verify(): bool
