--TEST--
SafeShm::get(): an exception thrown by __unserialize propagates and leaves the store usable
--EXTENSIONS--
safeshm
--INI--
safeshm.lock_timeout=1
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
class Fragile {
    public static bool $fail = false;
    public $v = 1;
    public function __serialize(): array { return ['v' => $this->v]; }
    public function __unserialize(array $d): void {
        if (self::$fail) throw new UnexpectedValueException('cannot wake up');
        $this->v = $d['v'];
    }
}
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('f', new Fragile);
Fragile::$fail = true;
try {
    var_dump($s->get('f'));
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
Fragile::$fail = false;
var_dump($s->get('f')->v, $s->has('f'));
$s->put('other', 'ok');
var_dump($s->get('other'), $s->verify());
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
UnexpectedValueException: cannot wake up
int(1)
bool(true)
string(2) "ok"
bool(true)
