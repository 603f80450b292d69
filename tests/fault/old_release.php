<?php
/*
 * The last release of layout 2 beside this one, on the same keys.
 *
 * Run with the older release's extension loaded (tests/fault/run.sh builds it
 * from the project's history into build-v2/); this release runs in child
 * processes (argv[1]: its safeshm.so).
 * - The layout-1/2 images the migration tests write (test_old_image() and
 *   test_old_half_moved() in tests/_ipc.inc) are what that release reads as
 *   its own: every entry, verify() true, a half-done compaction move finished.
 * - That release refuses a layout-3 segment cleanly: SafeShmException, every
 *   byte untouched, and this release still reads it afterwards.
 * - A layout-2 store this release refused to migrate (it does not fit in
 *   layout 3) is still that release's store: every entry, verify() true.
 *
 * Usage: php -d extension=build-v2/modules/safeshm.so tests/fault/old_release.php modules/safeshm.so
 */
declare(strict_types=1);
require __DIR__ . '/common.php';

$new = $argv[1] ?? '';
T::start('old_release: the layout-2 release beside this one', 60);
$old = phpversion('safeshm');
$probe = (new ReflectionClass('SafeShm'))->hasMethod('putMultiple');
if (!T::check(is_file($new) && !$probe, 'the layout-2 release is loaded here, and this release is given as argv[1]',
    "argv[1] '$new'" . ($probe ? '; the extension loaded here is not the layout-2 release' : ''))) {
    T::finish();
}

/** Runs $code in a child PHP with this release's extension; its output. */
function with_new(string $code, string $new): string
{
    $argv = [PHP_BINARY, '-n', '-d', "extension=$new", '-d', 'extension=shmop', '-r', $code];
    return trim((string) shell_exec(implode(' ', array_map('escapeshellarg', $argv)) . ' 2>&1'));
}

/** Which of $entries $s does not hold exactly. */
function differences(SafeShm $s, array $entries): array
{
    $bad = [];
    foreach ($entries as [$k, $v]) {
        if ($s->get($k, '(absent)') !== $v) {
            $bad[] = var_export($k, true);
        }
    }
    return $bad;
}

$key = T::storeName('old-release');
$entries = [['s', 'a string'], [7, 42], ['f', -1.5], ['no', false], ['yes', true], ['nil', null], ['arr', ['a' => [1, 2]]],
    ["bin\0", "\0\xff"]];
for ($i = 0; $i < 80; $i++) {
    $entries[] = ["k$i", str_repeat(chr(65 + $i % 26), $i * 5)];
}

echo "-- the images of the migration tests, read by the layout-2 release ($old)\n";
foreach ([[1, 0], [2, 0], [2, 1]] as [$version, $kind]) {
    $label = "layout $version, " . ($kind ? 'mutex' : 'semaphore');
    test_ipc_remove($key);
    test_shm_write($key, test_old_image(32768, $entries, $version, $kind));
    try {
        $s = new SafeShm($key);
        $i = $s->info();
        $bad = differences($s, $entries);
        T::check(!$bad && count($s) === count($entries) && $i['layout_version'] === $version && $i['lock'] === ($kind ? 'mutex' : 'semaphore')
            && $s->verify() === true, "$label: the layout-2 release reads every entry, its own layout and lock kind, verify() true",
            "layout {$i['layout_version']}, {$i['lock']}, " . count($s) . ' entries; differ: ' . implode(', ', $bad));
        $s->remove();
    } catch (Throwable $e) {
        T::check(false, "$label: the layout-2 release reads the image", get_class($e) . ': ' . $e->getMessage());
    }
}
$big = str_repeat('0123456789', 40);
$layout = [];
$image = test_old_image(8192, [['first', 1], ['gap', 'x'], ['moved', $big], ['after', 2]], 2, 0, '', $layout);
test_old_half_moved($image, $layout, 'gap', 'moved', 2 * $layout['records']['gap'][1]);
test_ipc_remove($key);
test_shm_write($key, $image);
try {
    $s = new SafeShm($key);
    T::check($s->get('moved') === $big && $s->get('first') === 1 && $s->get('after') === 2 && !$s->has('gap') && $s->verify() === true
        && $s->info()['recoveries'] === 1, 'a half-done compaction move: the layout-2 release finishes it (one recovery), the record intact',
        'recoveries ' . $s->info()['recoveries']);
    $s->remove();
} catch (Throwable $e) {
    T::check(false, 'a half-done compaction move: the layout-2 release recovers it', get_class($e) . ': ' . $e->getMessage());
}

echo "-- a layout-3 segment, attached by the layout-2 release\n";
test_ipc_remove($key);
$made = with_new('$s = new SafeShm(' . $key . ', 65536); $s->put("k", "layout 3"); $s->putMultiple(["a" => 1, "b" => [2]]);'
    . ' echo $s->info()["layout_version"];', $new);
T::check($made === '3', 'this release makes a layout-3 store', $made);
$raw = shmop_open($key, 'a', 0, 0);
$before = shmop_read($raw, 0, 0);
try {
    new SafeShm($key);
    T::check(false, 'the layout-2 release refuses it', 'it attached');
} catch (SafeShmException $e) {
    T::check(str_contains($e->getMessage(), 'layout version'), 'the layout-2 release refuses it with SafeShmException (another layout version)',
        get_class($e) . ': ' . $e->getMessage());
} catch (Throwable $e) {
    T::check(false, 'the layout-2 release refuses it with SafeShmException', get_class($e) . ': ' . $e->getMessage());
}
T::check(shmop_read($raw, 0, 0) === $before, 'every byte of it untouched');
$read = with_new('$s = new SafeShm(' . $key . '); echo json_encode([$s->get("k"), $s->get("a"), $s->get("b"), $s->verify()]);', $new);
T::check($read === '["layout 3",1,[2],true]', 'this release still reads it whole', $read);
with_new('(new SafeShm(' . $key . '))->remove();', $new);

echo "-- a layout-2 store this release refused to migrate\n";
$small = [];
for ($i = 0; $i < 24; $i++) {
    $small[] = [sprintf('t%02d', $i), str_repeat(chr(97 + $i), 30)];
}
test_ipc_remove($key, test_backup_key($key));
test_shm_write($key, test_old_image(4096, $small, 2, 1));
$said = with_new('try { new SafeShm(' . $key . '); echo "migrated"; } catch (SafeShmException $e) { echo $e->getMessage(); }', $new);
T::check(str_contains($said, 'do not fit in layout 3'), 'this release refuses it: its entries do not fit in layout 3', $said);
try {
    $s = new SafeShm($key);
    $bad = differences($s, $small);
    T::check(!$bad && $s->info()['layout_version'] === 2 && $s->verify() === true, 'the layout-2 release still has its store: every entry, verify() true',
        'differ: ' . implode(', ', $bad));
    $s->put('t00', 'written by the layout-2 release');
    T::check($s->get('t00') === 'written by the layout-2 release', 'and writes to it');
    $s->remove();
} catch (Throwable $e) {
    T::check(false, 'the layout-2 release still has its store', get_class($e) . ': ' . $e->getMessage());
}
test_ipc_remove($key, test_backup_key($key));
T::finish();
