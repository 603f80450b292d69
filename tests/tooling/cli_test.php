<?php
/*
 * bin/safeshm, every command, driven as a user would: exit codes, human and --json output,
 * dump/restore round trips and refused (truncated, bit-flipped) dumps.
 */
declare(strict_types=1);

require __DIR__ . '/common.php';

const BIN = __DIR__ . '/../../bin/safeshm';

function cli(string ...$args): array
{
    return run(array_merge(php_cmd(), [BIN], $args));
}

function cli_in(string $stdin, string ...$args): array
{
    return run(array_merge(php_cmd(), [BIN], $args), $stdin);
}

/** Runs the CLI and requires $code; returns [stdout, stderr]. */
function cli_ok(int $code, string ...$args): array
{
    [$rc, $out, $err] = cli(...$args);
    if ($rc !== $code) {
        throw new Failed('safeshm ' . implode(' ', $args) . " exited $rc, not $code; stderr: " . trim($err));
    }
    return [$out, $err];
}

function json_out(string ...$args): mixed
{
    [$out] = cli_ok(0, '--json', ...$args);
    return json_decode($out, true, 512, JSON_THROW_ON_ERROR);
}

function listed(string $name): bool
{
    foreach (SafeShm_list_any() as $s) {
        if ($s['name'] === $name) {
            return true;
        }
    }
    return false;
}

/** Every entry of a store with its value and whether it has a TTL, comparable across stores. */
function contents(SafeShm $s): array
{
    $out = [];
    foreach ($s->keys() as $k) {
        $out[(string) $k] = serialize($s->get($k));
    }
    ksort($out, SORT_STRING);
    return $out;
}

/** A value of a class the CLI does not know: it must come back through dump/restore unchanged. */
function foreign_object(): object
{
    return unserialize('O:18:"App\\Model\\Customer":2:{s:2:"id";i:42;s:4:"name";s:3:"Ada";}');
}

function sample_values(): array
{
    return [
        'str' => 'hello', 'bin' => "\x00\xff\x80binary\n", 'int' => -7, 'float' => 1.5, 'true' => true,
        'false' => false, 'null' => null, 'arr' => ['a' => [1, 2, 3], 'b' => 'x'], 'obj' => (object) ['p' => 1],
        'foreign' => foreign_object(), 17 => 'int key', "k\x00ey" => 'binary key', '-dash' => 'dash',
        'empty' => '', 'nan' => NAN,
    ];
}

test('--help documents commands and exit codes; bad usage exits 2', [], function () {
    [$out] = cli_ok(0, '--help');
    foreach (['list', 'info', 'keys', 'get', 'put', 'delete', 'verify', 'locks', 'remove', 'dump', 'restore',
              'Exit codes: 0 ok, 1 not found', '2 usage', '3 corrupt'] as $word) {
        check(str_contains($out, $word), "--help mentions $word");
    }
    same(2, cli()[0], 'no command');
    same(2, cli('frobnicate')[0], 'unknown command');
    same(2, cli('--bogus', 'list')[0], 'unknown option');
    same(2, cli('info')[0], 'missing store');
    same(2, cli('get', 'x')[0], 'missing key');
    same(2, cli('info', '0')[0], 'key 0');
    same(2, cli('info', '99999999999')[0], 'key outside key_t');
});

test('a missing store is "not found" (exit 1) for every command, and nothing is created', [], function () {
    $name = store_name('absent');
    foreach ([['info', $name], ['keys', $name], ['get', $name, 'k'], ['put', $name, 'k', 'v'],
              ['delete', $name, 'k'], ['clear', $name], ['verify', $name], ['locks', $name], ['remove', $name],
              ['dump', $name, sys_get_temp_dir() . '/never.dump']] as $args) {
        [$rc, , $err] = cli(...$args);
        same(1, $rc, implode(' ', $args));
        check(str_contains($err, 'not found'), 'stderr says not found: ' . $err);
    }
    check(!listed($name), 'no store was created');
    check(!file_exists(sys_get_temp_dir() . '/never.dump'), 'no dump file');
});

test('put/get: strings raw, --json-value types, missing key exits 1', [], function () {
    [$name] = new_store('putget');
    cli_ok(0, 'put', $name, 'greeting', 'hello world');
    same(['hello world', ''], cli_ok(0, 'get', $name, 'greeting'));
    cli_ok(0, 'put', $name, 'n', '42', '--json-value');
    cli_ok(0, 'put', $name, 'cfg', '{"host":"10.0.0.1","port":8899}', '--json-value');
    same("42\n", cli_ok(0, 'get', $name, 'n')[0]);
    same("array (\n  'host' => '10.0.0.1',\n  'port' => 8899,\n)\n", cli_ok(0, 'get', $name, 'cfg')[0]);
    $s = new SafeShm($name);
    same(42, $s->get('n'));
    same(['host' => '10.0.0.1', 'port' => 8899], $s->get('cfg'));
    same(2, cli('put', $name, 'bad', '{nope', '--json-value')[0], 'invalid JSON');
    [$rc, , $err] = cli('get', $name, 'nope');
    same(1, $rc, 'missing key');
    check(str_contains($err, 'not found'), 'says not found');
    cli_ok(0, 'put', $name, '--', '-leading-dash', 'v');
    same('v', $s->get('-leading-dash'));
});

test('put --create makes a missing store; without it nothing is made', [], function () {
    $name = store_name('created');
    same(1, cli('put', $name, 'k', 'v')[0]);
    check(!listed($name), 'not created without --create');
    cli_ok(0, 'put', $name, 'k', 'v', '--create=16K');
    check(listed($name), 'created');
    same(16384, (new SafeShm($name))->info()['size']);
});

test('stores are named by int key, hex key or name; a named store\'s key resolves to its name', [], function () {
    [$name, $s] = new_store('spec');
    $s->put('k', 'by-any-name');
    $key = $s->info()['key'];
    same("by-any-name", cli_ok(0, 'get', $name, 'k')[0]);
    same("by-any-name", cli_ok(0, 'get', (string) $key, 'k')[0]);
    same("by-any-name", cli_ok(0, 'get', sprintf('0x%08x', $key & 0xffffffff), 'k')[0]);
    $ikey = 0x5afe0000 + (getmypid() & 0xffff);
    remember_int_store($ikey);
    $i = new SafeShm($ikey, 8192);
    $i->put('k', 'by-key');
    same("by-key", cli_ok(0, 'get', (string) $ikey, 'k')[0]);
    same("by-key", cli_ok(0, 'get', sprintf('0X%X', $ikey), 'k')[0]);
    /* --name: digits taken as a name, which has no store */
    same(1, cli('--name', 'get', (string) $ikey, 'k')[0]);
});

test('list shows the store with name, size and entries; --json too', [], function () {
    [$name, $s] = new_store('listed', 32768);
    $s->put('a', 1);
    $s->put('b', 2);
    [$out] = cli_ok(0, 'list');
    $line = array_values(array_filter(explode("\n", $out), static fn($l) => str_contains($l, $name)));
    check(count($line) === 1, "one line for $name in:\n$out");
    check((bool) preg_match('/^0x[0-9a-f]{8}\s+' . preg_quote($name, '/') . '\s+32\.0 KiB\s+2\s/', $line[0]), 'row: ' . $line[0]);
    $rows = array_values(array_filter(json_out('list'), static fn($r) => $r['name'] === $name));
    same(1, count($rows));
    same(32768, $rows[0]['size']);
    same(2, $rows[0]['entries']);
    same($s->info()['key'], $rows[0]['key']);
});

test('info: human table and --json with the counters', [], function () {
    [$name, $s] = new_store('info');
    $s->put('x', str_repeat('v', 100));
    [$out] = cli_ok(0, 'info', $name);
    check((bool) preg_match('/^entries\s+1$/m', $out), "entries row in:\n$out");
    check((bool) preg_match('/^size\s+65536 \(64\.0 KiB\)$/m', $out), 'size row');
    $j = json_out('info', $name);
    foreach (['size', 'used', 'free', 'dead', 'entries', 'compactions', 'lock_waits', 'lock_timeouts', 'recoveries',
              'layout_version', 'lock'] as $f) {
        check(array_key_exists($f, $j), "info --json has $f");
    }
    same(1, $j['entries']);
    same($name, $j['name']);
});

test('keys: all, one per line; binary keys escaped; --json with base64 for non-UTF-8', [], function () {
    [$name, $s] = new_store('keys');
    foreach (['user:1', 'user:2', 'order:9', "bin\xff\x00"] as $k) {
        $s->put($k, 1);
    }
    $s->put(5, 'int key');
    same("5\n\"bin\\xff\\x00\"\norder:9\nuser:1\nuser:2\n", cli_ok(0, 'keys', $name)[0]);
    same([5, ['base64' => base64_encode("bin\xff\x00")], 'order:9', 'user:1', 'user:2'], json_out('keys', $name));
});

test('keys --prefix= lists only that prefix', ['keys/1'], function () {
    [$name, $s] = new_store('keysprefix');
    foreach (['user:1', 'user:2', 'order:9'] as $k) {
        $s->put($k, 1);
    }
    same("user:1\nuser:2\n", cli_ok(0, 'keys', $name, '--prefix=user:')[0]);
    same(2, cli('keys', $name, '--prefix')[0], '--prefix without a value');
});

test('get --json: value, type, size and TTL; binary and objects as serialized_base64', ['meta'], function () {
    [$name, $s] = new_store('getjson');
    $s->put('cfg', ['a' => 1, 'f' => 2.0]);
    $s->put('bin', "\xff\xfe");
    $s->put('obj', foreign_object());
    same(['key' => 'cfg', 'type' => 'array', 'value' => ['a' => 1, 'f' => 2.0], 'size' => $s->meta('cfg')['size'],
          'ttl' => null], json_out('get', $name, 'cfg'));
    $b = json_out('get', $name, 'bin');
    same("\xff\xfe", unserialize(base64_decode($b['serialized_base64'])));
    $o = json_out('get', $name, 'obj');
    same(serialize(foreign_object()), base64_decode($o['serialized_base64']));
});

test('put --ttl= stores with a TTL that get --json reports', ['meta', 'put/3'], function () {
    [$name, $s] = new_store('ttl');
    cli_ok(0, 'put', $name, 'session', 'abc', '--ttl=300');
    $ttl = json_out('get', $name, 'session')['ttl'];
    check(is_float($ttl) && $ttl > 0 && $ttl <= 300, 'ttl in (0, 300]: ' . var_export($ttl, true));
    same(2, cli('put', $name, 'k', 'v', '--ttl=-1')[0], 'negative ttl');
    same(2, cli('put', $name, 'k', 'v', '--ttl=soon')[0], 'non-numeric ttl');
});

test('delete: existing key 0, missing 1; several keys', [], function () {
    [$name, $s] = new_store('delete');
    $s->put('a', 1);
    $s->put('b', 2);
    $s->put('c', 3);
    same("deleted 1\n", cli_ok(0, 'delete', $name, 'a')[0]);
    same(1, cli('delete', $name, 'a')[0], 'again');
    same("deleted 2\n", cli_ok(0, 'delete', $name, 'b', 'c', 'zz')[0]);
    same(0, count($s));
});

test('delete --prefix= and clear', ['deletePrefix'], function () {
    [$name, $s] = new_store('deleteprefix');
    foreach (['tmp:1', 'tmp:2', 'keep'] as $k) {
        $s->put($k, 1);
    }
    same(['deleted' => 2], json_out('delete', $name, '--prefix=tmp:'));
    same(['keep'], $s->keys());
    same(2, cli('delete', $name, '--prefix=')[0], 'empty prefix refused');
    cli_ok(0, 'clear', $name);
    same(0, count($s));
});

test('verify: ok exits 0; a damaged record exits 3', [], function () {
    if (!function_exists('shmop_open')) {
        throw new Failed('needs ext/shmop to damage a segment');
    }
    [$name, $s] = new_store('verify');
    $marker = 'MARKER-' . str_repeat('m', 57);
    $s->put('k', $marker);
    same("ok\n", cli_ok(0, 'verify', $name)[0]);
    $raw = shmop_open($s->info()['key'], 'w', 0, 0);
    $all = shmop_read($raw, 0, shmop_size($raw));
    $pos = strpos($all, $marker);
    check($pos !== false, 'marker found');
    shmop_write($raw, str_repeat("\xff", 40), $pos - 40); /* the record header before the value */
    [$rc, , $err] = cli('verify', $name);
    same(3, $rc, 'verify of a damaged store');
    check(str_contains($err, 'corrupt'), 'says corrupt: ' . $err);
});

test('locks: a lock held by another process is listed, with its pid', ['lock', 'locks'], function () {
    [$name, $s] = new_store('locks');
    same("no locks held\n", cli_ok(0, 'locks', $name)[0]);
    $script = tempnam(sys_get_temp_dir(), 'safeshm-holder-');
    file_put_contents($script, '<?php $s = new SafeShm($argv[1]); $l = $s->lock("nightly-report");'
        . ' echo $l ? "held\n" : "no\n"; fgets(STDIN);');
    $holder = proc_open(array_merge(php_cmd(), [$script, $name]), [0 => ['pipe', 'r'], 1 => ['pipe', 'w']], $p);
    try {
        same("held\n", fgets($p[1]));
        $pid = proc_get_status($holder)['pid'];
        [$out] = cli_ok(0, 'locks', $name);
        check((bool) preg_match('/nightly-report\s+exclusive\s+' . $pid . '\s/', $out), "lock row in:\n$out");
        $j = json_out('locks', $name);
        same(1, count($j));
        same('nightly-report', $j[0]['name']);
        same([$pid], $j[0]['pids']);
        same(false, $j[0]['shared']);
        [$all] = cli_ok(0, 'locks');
        check(str_contains($all, 'nightly-report'), 'locks without a store lists every store');
    } finally {
        fwrite($p[0], "\n");
        fclose($p[0]);
        proc_close($holder);
        unlink($script);
    }
});

test('remove: the store is gone, then not found', [], function () {
    [$name, $s] = new_store('remove');
    $s->put('k', 'v');
    same("removed\n", cli_ok(0, 'remove', $name)[0]);
    check(!listed($name), 'gone from the system');
    same(1, cli('info', $name)[0]);
});

test('dump/restore round trip: every value type, int and binary keys, into a new store (--create)',
    ['meta'], function () {
    [$name, $s] = new_store('rt-src');
    foreach (sample_values() as $k => $v) {
        $s->put($k, $v);
    }
    $file = tempnam(sys_get_temp_dir(), 'safeshm-dump-');
    try {
        [$out] = cli_ok(0, 'dump', $name, $file);
        same('dumped ' . count(sample_values()) . " entries to $file\n", $out);
        $dst = store_name('rt-dst');
        same(1, cli('restore', $dst, $file)[0], 'restore into a missing store without --create');
        cli_ok(0, 'restore', $dst, $file, '--create');
        $d = new SafeShm($dst);
        same(65536, $d->info()['size'], 'created with the dumped size');
        same(contents($s), contents($d));
        same(serialize(foreign_object()), serialize($d->get('foreign')), 'object of an unknown class');
        same('int key', $d->get(17));
        check(is_nan($d->get('nan')), 'NAN');
    } finally {
        @unlink($file);
    }
});

test('dump to stdout, restore from stdin', ['meta'], function () {
    [$name, $s] = new_store('pipe-src');
    $s->put('a', [1, 2]);
    $s->put('b', 'bee');
    [$rc, $dump, $err] = cli('dump', $name);
    same(0, $rc, 'dump to stdout: ' . $err);
    same(DUMP_MAGIC_T, substr($dump, 0, 8));
    [$dst, $d] = new_store('pipe-dst');
    [$rc, , $err] = cli_in($dump, 'restore', $dst, '-');
    same(0, $rc, 'restore from stdin: ' . $err);
    same(contents($s), contents($d));
});

test('dump keeps TTLs as remaining time; restore applies them', ['meta', 'put/3'], function () {
    [$name, $s] = new_store('ttl-src');
    $s->put('short', 'x', 600);
    $s->put('forever', 'y');
    $file = tempnam(sys_get_temp_dir(), 'safeshm-dump-');
    try {
        cli_ok(0, 'dump', $name, $file);
        [$dst, $d] = new_store('ttl-dst');
        cli_ok(0, 'restore', $dst, $file);
        $ttl = $d->meta('short')['ttl'];
        check(is_float($ttl) && $ttl > 0 && $ttl <= 600, 'remaining ttl restored: ' . var_export($ttl, true));
        same(null, $d->meta('forever')['ttl'], 'no ttl stays no ttl');
    } finally {
        @unlink($file);
    }
});

test('restore merges by default, --replace drops keys not in the dump', ['meta'], function () {
    [$name, $s] = new_store('merge-src');
    $s->put('a', 'from dump');
    $file = tempnam(sys_get_temp_dir(), 'safeshm-dump-');
    try {
        cli_ok(0, 'dump', $name, $file);
        [$dst, $d] = new_store('merge-dst');
        $d->put('a', 'old');
        $d->put('other', 'kept');
        cli_ok(0, 'restore', $dst, $file);
        same(['a' => 'from dump', 'other' => 'kept'], ['a' => $d->get('a'), 'other' => $d->get('other')]);
        cli_ok(0, 'restore', $dst, $file, '--replace');
        same(['a'], $d->keys());
    } finally {
        @unlink($file);
    }
});

const DUMP_MAGIC_T = 'SSHMDUMP';

test('a truncated or bit-flipped dump is refused with exit 3 and the store is unchanged', ['meta'], function () {
    [$name, $s] = new_store('flip-src');
    foreach (sample_values() as $k => $v) {
        $s->put($k, $v);
    }
    $file = tempnam(sys_get_temp_dir(), 'safeshm-dump-');
    try {
        cli_ok(0, 'dump', $name, $file);
        $good = file_get_contents($file);
        [$dst, $d] = new_store('flip-dst');
        $d->put('str', 'previous');
        $d->put('mine', 'untouched');
        $before = contents($d);
        $len = strlen($good);
        $cases = ['empty' => '', 'magic only' => substr($good, 0, 8), 'half' => substr($good, 0, intdiv($len, 2)),
                  'last byte missing' => substr($good, 0, -1), 'trailing byte' => $good . "\0",
                  'checksum flipped' => substr($good, 0, -1) . chr(ord($good[$len - 1]) ^ 1)];
        foreach ([9, 20, intdiv($len, 3), intdiv($len, 2), $len - 45, $len - 40] as $pos) {
            $cases["bit flipped at $pos"] = substr_replace($good, chr(ord($good[$pos]) ^ 0x10), $pos, 1);
        }
        foreach ($cases as $label => $bytes) {
            file_put_contents($file, $bytes);
            [$rc, , $err] = cli('restore', $dst, $file);
            same(3, $rc, "$label: exit code ($err)");
            check(str_contains($err, 'refused'), "$label: says refused: $err");
            same($before, contents($d), "$label: store unchanged");
            [$rc] = cli_in($bytes, 'restore', $dst, '-');
            same(3, $rc, "$label via stdin");
        }
        /* a well-formed dump of a future format version is refused as such */
        $v2 = substr_replace($good, pack('n', 2), 8, 2);
        $v2 = substr($v2, 0, -32) . hash('sha256', substr($v2, 0, -32), true);
        file_put_contents($file, $v2);
        [$rc, , $err] = cli('restore', $dst, $file);
        same(3, $rc, 'version 2');
        check(str_contains($err, 'version 2'), 'names the version: ' . $err);
        same($before, contents($d));
        /* and the intact dump still restores */
        file_put_contents($file, $good);
        cli_ok(0, 'restore', $dst, $file);
        same('hello', $d->get('str'));
    } finally {
        @unlink($file);
    }
});

test('restore into a store too small for the dump fails with exit 3 and puts the previous values back',
    ['meta'], function () {
    [$name, $s] = new_store('big-src', 262144);
    for ($i = 0; $i < 100; $i++) {
        $s->put("k$i", str_repeat(chr(65 + $i % 26), 1000));
    }
    $file = tempnam(sys_get_temp_dir(), 'safeshm-dump-');
    try {
        cli_ok(0, 'dump', $name, $file);
        [$dst, $d] = new_store('small-dst', 16384);
        $d->put('k1', 'previous k1');
        $d->put('mine', 'untouched');
        $before = contents($d);
        [$rc, , $err] = cli('restore', $dst, $file);
        same(3, $rc, 'exit code: ' . $err);
        check(str_contains($err, 'previous content'), 'says the store has its previous content: ' . $err);
        same($before, contents($d), 'store content');
        [$rc] = cli('restore', $dst, $file, '--replace');
        same(3, $rc, '--replace');
        same($before, contents($d), 'store content after --replace');
    } finally {
        @unlink($file);
    }
});

test('progress bar on stderr for a large dump/restore only when stderr is a terminal', ['meta'], function () {
    if (!is_executable('/usr/bin/script')) {
        throw new Failed('needs script(1) from util-linux to give the CLI a terminal');
    }
    [$name, $s] = new_store('progress', 1 << 20);
    for ($i = 0; $i < 3000; $i++) {
        $s->put("k$i", $i);
    }
    $file = tempnam(sys_get_temp_dir(), 'safeshm-dump-');
    try {
        [, , $err] = cli('dump', $name, $file);
        check(!str_contains($err, '%'), 'no progress when stderr is a pipe: ' . $err);
        $cmd = implode(' ', array_map('escapeshellarg', array_merge(php_cmd(), [BIN, 'dump', $name, $file])));
        [$rc, $tty] = run(['/usr/bin/script', '-qefc', $cmd, '/dev/null']);
        same(0, $rc, 'dump under a terminal');
        check(str_contains($tty, "\rdump [") && str_contains($tty, '100% 3000/3000'), 'progress drawn: ' . substr($tty, -200));
        [$dst] = new_store('progress-dst', 1 << 20);
        $cmd = implode(' ', array_map('escapeshellarg', array_merge(php_cmd(), [BIN, 'restore', $dst, $file])));
        [$rc, $tty] = run(['/usr/bin/script', '-qefc', $cmd, '/dev/null']);
        same(0, $rc, 'restore under a terminal');
        check(str_contains($tty, '100% 3000/3000'), 'restore progress drawn');
        $cmd .= ' --no-progress';
        [, $tty] = run(['/usr/bin/script', '-qefc', $cmd, '/dev/null']);
        check(!str_contains($tty, '%'), '--no-progress');
        /* a small store draws nothing even on a terminal */
        [$small, $ss] = new_store('progress-small');
        $ss->put('a', 1);
        $cmd = implode(' ', array_map('escapeshellarg', array_merge(php_cmd(), [BIN, 'dump', $small, $file])));
        [, $tty] = run(['/usr/bin/script', '-qefc', $cmd, '/dev/null']);
        check(!str_contains($tty, '%'), 'no bar for a small store');
    } finally {
        @unlink($file);
    }
});

test('dump refuses to write binary to a terminal', ['meta'], function () {
    if (!is_executable('/usr/bin/script')) {
        throw new Failed('needs script(1)');
    }
    [$name] = new_store('tty');
    $cmd = implode(' ', array_map('escapeshellarg', array_merge(php_cmd(), [BIN, 'dump', $name])));
    [$rc, $out] = run(['/usr/bin/script', '-qefc', $cmd, '/dev/null']);
    same(2, $rc, 'exit code');
    check(str_contains($out, 'terminal'), 'says why');
});

exit(run_tests('cli'));
