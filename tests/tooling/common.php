<?php
/*
 * A small harness for the tooling tests: named cases, each declaring the SafeShm methods it needs
 * (a failure is then labelled with the missing ones), stores named per process and removed at exit.
 * Last line: "N passed, N failed".
 */
declare(strict_types=1);

final class T
{
    public static array $cases = [];
    public static array $stores = [];
    public static int $passed = 0;
    public static int $failed = 0;
}

final class Failed extends Exception {}

function test(string $name, array $needs, callable $fn): void
{
    T::$cases[] = [$name, $needs, $fn];
}

function check(bool $ok, string $what): void
{
    if (!$ok) {
        throw new Failed($what);
    }
}

function same(mixed $expected, mixed $actual, string $what = ''): void
{
    if ($expected !== $actual) {
        throw new Failed(($what !== '' ? "$what: " : '') . 'expected ' . short($expected) . ', got ' . short($actual));
    }
}

function short(mixed $v): string
{
    $s = var_export($v, true);
    return strlen($s) > 300 ? substr($s, 0, 300) . '...' : $s;
}

/** The prefix of every store name of this run (tools/test-tooling.sh removes what a killed run leaves). */
function run_tag(): string
{
    return (getenv('SAFESHM_TOOLING_TAG') ?: 'safeshm-tooling') . '-' . getmypid();
}

/** A store name private to this run; the store is removed at exit. */
function store_name(string $label): string
{
    $name = run_tag() . '-' . $label;
    T::$stores[$name] = true;
    return $name;
}

/** An int-keyed store of this test: removed at exit, and by the runner's trap if this process is killed. */
function remember_int_store(int $key): void
{
    T::$stores[$key] = true;
    if (getenv('SAFESHM_TOOLING_RUN')) {
        file_put_contents(getenv('SAFESHM_TOOLING_RUN') . '/int-keys', "$key\n", FILE_APPEND);
    }
}

/** A store created now under a private name. */
function new_store(string $label, int $size = 65536): array
{
    $name = store_name($label);
    return [$name, new SafeShm($name, $size)];
}

function cleanup_stores(): void
{
    foreach (array_keys(T::$stores) as $spec) {
        try {
            foreach (SafeShm_list_any() as $s) {
                if ($s['name'] === $spec || $s['key'] === $spec) {
                    (new SafeShm($spec))->remove();
                }
            }
        } catch (Throwable) {
        }
    }
}

/** The stores of the host, through SafeShm::list() when it exists (else /proc and shmop). */
function SafeShm_list_any(): array
{
    if (method_exists(SafeShm::class, 'list')) {
        return SafeShm::list();
    }
    $out = [];
    $lines = file('/proc/sysvipc/shm', FILE_IGNORE_NEW_LINES);
    array_shift($lines);
    foreach ($lines as $line) {
        $f = preg_split('/\s+/', trim($line));
        if ((int) $f[0] === 0 || !function_exists('shmop_open')) {
            continue;
        }
        $shm = @shmop_open((int) $f[0], 'a', 0, 0);
        if (!$shm) {
            continue;
        }
        $h = shmop_read($shm, 0, min(512, shmop_size($shm)));
        if (strlen($h) === 512 && substr($h, 0, 4) === 'FSHM') {
            $nl = unpack('V', $h, 192)[1];
            $out[] = ['key' => (int) $f[0], 'name' => $nl ? substr($h, 200, $nl) : null];
        }
    }
    return $out;
}

/** The PHP command line that loads the extension the same way this process did. */
function php_cmd(): array
{
    $args = trim((string) getenv('SAFESHM_PHP_ARGS'));
    return array_merge([PHP_BINARY], $args === '' ? [] : preg_split('/\s+/', $args));
}

/**
 * Runs a command; returns [exit code, stdout, stderr].
 *
 * @param list<string> $cmd
 */
function run(array $cmd, string $stdin = '', array $env = []): array
{
    $p = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null,
        $env ? $env + getenv() : null);
    if (!is_resource($p)) {
        throw new Failed('cannot start ' . implode(' ', $cmd));
    }
    /* write stdin and read both outputs without deadlocking on full pipes */
    stream_set_blocking($pipes[1], false);
    stream_set_blocking($pipes[2], false);
    $out = $err = '';
    $in = $stdin;
    if ($in === '') {
        fclose($pipes[0]);
        $pipes[0] = null;
    } else {
        stream_set_blocking($pipes[0], false);
    }
    while (true) {
        $r = array_filter([$pipes[1], $pipes[2]], static fn($s) => !feof($s));
        $w = $pipes[0] ? [$pipes[0]] : [];
        if (!$r && !$w) {
            break;
        }
        $e = null;
        if (stream_select($r, $w, $e, 30) === false) {
            break;
        }
        foreach ($w as $s) {
            $n = fwrite($s, $in);
            $in = substr($in, $n === false ? 0 : $n);
            if ($in === '' || $n === false) {
                fclose($pipes[0]);
                $pipes[0] = null;
            }
        }
        foreach ($r as $s) {
            $chunk = fread($s, 65536);
            if ($s === $pipes[1]) {
                $out .= $chunk;
            } else {
                $err .= $chunk;
            }
        }
    }
    fclose($pipes[1]);
    fclose($pipes[2]);
    return [proc_close($p), $out, $err];
}

/** The needed methods this build lacks; "put/3" needs put() to take 3 parameters. */
function missing_api(array $needs): array
{
    $missing = [];
    foreach ($needs as $need) {
        [$m, $n] = explode('/', $need . '/0');
        if (!method_exists(SafeShm::class, $m)
            || (new ReflectionMethod(SafeShm::class, $m))->getNumberOfParameters() < (int) $n) {
            $missing[] = $n > 0 ? "$m() with $n parameters" : "$m()";
        }
    }
    return $missing;
}

function run_tests(string $suite): int
{
    register_shutdown_function('cleanup_stores');
    $only = getenv('SAFESHM_TOOLING_ONLY') ?: '';
    foreach (T::$cases as [$name, $needs, $fn]) {
        if ($only !== '' && !str_contains($name, $only)) {
            continue;
        }
        try {
            $fn();
            T::$passed++;
            echo "ok   $suite: $name\n";
        } catch (Throwable $e) {
            T::$failed++;
            $missing = missing_api($needs);
            $why = $e instanceof Failed ? $e->getMessage() : get_class($e) . ': ' . $e->getMessage()
                . ' at ' . basename($e->getFile()) . ':' . $e->getLine();
            echo "FAIL $suite: $name: ", str_replace("\n", "\n     ", rtrim($why)), "\n";
            if ($missing) {
                echo "     (waits for the C API: SafeShm::", implode(', SafeShm::', $missing), ")\n";
            }
        }
    }
    cleanup_stores();
    echo T::$passed, ' passed, ', T::$failed, " failed\n";
    return T::$failed === 0 ? 0 : 1;
}
