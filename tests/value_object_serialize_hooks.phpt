--TEST--
SafeShm: an object's __serialize/__unserialize and __sleep/__wakeup run on put and get
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
class Modern {
    public $conn = 'resource-like';
    public function __construct(public string $name = '') {}
    public function __serialize(): array { echo "__serialize\n"; return ['n' => $this->name]; }
    public function __unserialize(array $d): void { echo "__unserialize\n"; $this->name = $d['n']; $this->conn = 'reconnected'; }
}
class Legacy {
    public $a = 1;
    public $cache = 'big';
    public function __sleep() { echo "__sleep\n"; return ['a']; }
    public function __wakeup() { echo "__wakeup\n"; $this->cache = 'rebuilt'; }
}
$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$s->put('m', new Modern('x'));
$s->put('l', new Legacy);
echo "stored\n";
$m = $s->get('m');
var_dump($m->name, $m->conn);
$l = $s->get('l');
var_dump($l->a, $l->cache);
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
__serialize
__sleep
stored
__unserialize
string(1) "x"
string(11) "reconnected"
__wakeup
int(1)
string(7) "rebuilt"
