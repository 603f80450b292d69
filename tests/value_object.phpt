--TEST--
SafeShm: objects go through PHP's serializer; class and state are preserved (==), enums stay identical
--EXTENSIONS--
safeshm
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
class Point {
    public function __construct(public int $x = 0, protected array $tags = [], private ?Point $next = null) {}
    public function next(): ?Point { return $this->next; }
}
enum Suit: string { case Hearts = 'H'; case Spades = 'S'; }

$key = test_key(__FILE__);
$s = new SafeShm($key, 65536);
$std = new stdClass;
$std->a = 1;
$std->b = ['x' => 'y'];
$p = new Point(3, ['t'], new Point(4));
$s->put('std', $std);
$s->put('point', $p);
$s->put('date', new DateTimeImmutable('2024-02-29 12:34:56.789', new DateTimeZone('Europe/Paris')));
$s->put('ao', new ArrayObject([1, 2, 3]));
$s->put('enum', Suit::Spades);
$s->put('in_array', ['p' => $p, 'e' => Suit::Hearts]);

$t = new SafeShm($key);
$g = $t->get('std');
var_dump(get_class($g), $g == $std, $g === $std);
$g = $t->get('point');
var_dump(get_class($g), $g == $p, get_class($g->next()), $g->next()->x);
$g = $t->get('date');
var_dump(get_class($g), $g->format('Y-m-d H:i:s.v e'));
$g = $t->get('ao');
var_dump(get_class($g), $g->getArrayCopy());
var_dump($t->get('enum') === Suit::Spades);
$g = $t->get('in_array');
var_dump($g['p'] == $p, $g['e'] === Suit::Hearts);
// Each get() builds a new object.
var_dump($t->get('point') !== $t->get('point'));
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__);
?>
--EXPECT--
string(8) "stdClass"
bool(true)
bool(false)
string(5) "Point"
bool(true)
string(5) "Point"
int(4)
string(17) "DateTimeImmutable"
string(36) "2024-02-29 12:34:56.789 Europe/Paris"
string(11) "ArrayObject"
array(3) {
  [0]=>
  int(1)
  [1]=>
  int(2)
  [2]=>
  int(3)
}
bool(true)
bool(true)
bool(true)
bool(true)
