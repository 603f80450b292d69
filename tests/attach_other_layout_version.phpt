--TEST--
SafeShm::__construct(): a layout-2 store (mutex- or semaphore-locked) is migrated to layout 3 at its first attach, every entry kept with its type and the lock kind its header recorded; a SafeShm segment of an unknown layout version (4, 99, 0, 2^32-1), or a layout-1 header that says "mutex", is refused with its bytes untouched
--EXTENSIONS--
safeshm
shmop
--FILE--
<?php
require __DIR__ . '/_ipc.inc';
// White-box: genuine layout-2 segments, written with shmop (test_old_image() in _ipc.inc follows shm_migrate.c).
$key = test_key(__FILE__);
$entries = [['s', 'a string'], ['empty', ''], [7, 42], ['neg', PHP_INT_MIN], ['f', -1.5], ['no', false], ['yes', true],
    ['nil', null], ['arr', ['a' => 1, 2, [3, 'x']]], ['obj', (object) ['p' => 1]], ["bin\0key\xff", "\0\1\2\xff"], [-3, 'int key']];
for ($i = 0; $i < 60; $i++) {
    $entries[] = ["k$i", str_repeat(chr(65 + $i % 26), $i * 7)];
}

/** Which entries a store does not hold exactly (=== for all but objects, == for those, same type). */
function differences(SafeShm $s, array $entries): string
{
    $bad = [];
    foreach ($entries as [$k, $v]) {
        $got = $s->get($k, '(absent)');
        if (is_object($v) ? !is_object($got) || $got != $v : $got !== $v) {
            $bad[] = var_export($k, true) . ': ' . var_export($got, true);
        }
    }
    $keys = $s->keys();
    $want = array_column($entries, 0);
    sort($keys);
    sort($want);
    if ($keys !== $want) {
        $bad[] = 'keys() differ';
    }
    return $bad ? implode('; ', $bad) : 'all ' . count($entries) . ' entries, with their types';
}

/** Attaches from a fresh PHP process, which has no attachment cached: what it gets, and the store's info. */
function fresh_attach(int $key, string $lock): string
{
    $code = 'try { $s = new SafeShm(' . $key . '); $i = $s->info(); echo "attached: layout ", $i["layout_version"], ", ", $i["lock"], ", ",'
        . ' count($s), " entries, verify ", var_export($s->verify(), true); } catch (SafeShmException $e) { echo get_class($e); }';
    return trim(test_php_run($code, [], ['safeshm.lock' => $lock]));
}

function backup_left(int $key): string
{
    return isset(test_ipc_list('shm')[test_backup_key($key)]) ? 'a backup segment is left' : 'no backup segment left';
}

foreach ([0 => 'semaphore', 1 => 'mutex'] as $kind => $label) {
    echo "-- layout 2, $label-locked\n";
    test_shm_write($key, test_old_image(32768, $entries, 2, $kind));
    // the first attacher (a fresh process whose own setting is the other kind) migrates it: the old header decides
    echo fresh_attach($key, $kind ? 'semaphore' : 'mutex'), "\n";
    echo backup_left($key), "\n";
    $s = new SafeShm($key);
    echo differences($s, $entries), "\n";
    $s->put('after', 1);
    var_dump($s->increment(7), $s->get('after'), $s->info()['lock'], $s->verify());
    $s->remove();
    test_ipc_remove($key);
}

echo "-- other versions\n";
foreach ([[4, 0], [99, 0], [0, 0], [0xFFFFFFFF, 0], [1, 1]] as [$v, $kind]) {
    $img = test_old_image(32768, $entries, 2, $kind);
    test_old_hdr_set($img, 'version', $v);
    test_shm_write($key, $img);
    $what = "version $v" . ($kind ? ' saying "mutex"' : '');
    try {
        new SafeShm($key);
        echo "$what: attached\n";
    } catch (SafeShmException $e) {
        echo "$what: ", get_class($e), "\n";
    }
    echo "$what, fresh process: ", fresh_attach($key, 'mutex'), "\n";
    echo "$what: untouched: ", shmop_read(shmop_open($key, 'a', 0, 0), 0, 0) === $img ? 'yes' : 'NO', ', ', backup_left($key), "\n";
    test_ipc_remove($key);
}
// a layout-3 store whose version is made 4: refused, untouched; made 3 again, whole
$s = new SafeShm($key, 8192);
$s->put('k', 'data');
$raw = shmop_open($key, 'w', 0, 0);
shmop_write($raw, pack('V', 4), 4);
$before = shmop_read($raw, 0, 0);
echo 'layout 3 made version 4, fresh process: ', fresh_attach($key, 'mutex'), ', untouched: ',
    shmop_read($raw, 0, 0) === $before ? 'yes' : 'NO', "\n";
shmop_write($raw, pack('V', 3), 4);
echo 'made 3 again, fresh process: ', fresh_attach($key, 'mutex'), "\n";
$s->remove();
?>
--CLEAN--
<?php
require __DIR__ . '/_ipc.inc';
test_clean(__FILE__, test_backup_key(test_key(__FILE__)));
?>
--EXPECTF--
-- layout 2, semaphore-locked
attached: layout 3, semaphore, 72 entries, verify true
no backup segment left
all 72 entries, with their types
int(43)
int(1)
string(9) "semaphore"
bool(true)
-- layout 2, mutex-locked
attached: layout 3, mutex, 72 entries, verify true
no backup segment left
all 72 entries, with their types
int(43)
int(1)
string(5) "mutex"
bool(true)
-- other versions
version 4: SafeShmException
version 4, fresh process: SafeShmException
version 4: untouched: yes, no backup segment left
version 99: SafeShmException
version 99, fresh process: SafeShmException
version 99: untouched: yes, no backup segment left
version 0: SafeShmException
version 0, fresh process: SafeShmException
version 0: untouched: yes, no backup segment left
version 4294967295: SafeShmException
version 4294967295, fresh process: SafeShmException
version 4294967295: untouched: yes, no backup segment left
version 1 saying "mutex": SafeShmException
version 1 saying "mutex", fresh process: SafeShmException
version 1 saying "mutex": untouched: yes, no backup segment left
layout 3 made version 4, fresh process: SafeShmException, untouched: yes
made 3 again, fresh process: attached: layout 3, %s, 1 entries, verify true
