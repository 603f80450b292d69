<?php
/*
 * The request script tests/fpm/run.sh drives through php-fpm: one fault (or
 * one check) per request, chosen by ?scenario=NAME. Every response starts
 * with "pid=N" so the driver knows which worker served it; the store's IPC
 * key and the temp dir come from the pool's env[].
 */
declare(strict_types=1);

const STORE_SIZE = 16 << 20;
const BIG_LEN = 8 << 20;
const LOOP_KEYS = 16;

$name = getenv('SAFESHM_FPM_STORE');
$tmp = getenv('SAFESHM_FPM_TMP');
$scenario = (string) ($_GET['scenario'] ?? '');
$tag = (string) ($_GET['tag'] ?? '');
echo 'pid=', getmypid(), "\n";
flush(); // sent now, so the driver learns the pid even if the worker dies
if (!$name || !$tmp) {
    exit("SAFESHM_FPM_STORE / SAFESHM_FPM_TMP not set by the pool\n");
}

function store(): SafeShm
{
    // the pool passes the store's IPC key (a name would do as well)
    $name = $GLOBALS['name'];
    return new SafeShm(preg_match('/^[0-9]+$/', $name) ? (int) $name : $name, STORE_SIZE);
}

/* Values the checks compare against; none of the faults may change them. */
function sentinel(): string
{
    return str_repeat('sentinel:' . hash('sha256', 'safeshm-fpm'), 8);
}

function big(): string
{
    return str_repeat(hash('sha256', 'big', true), BIG_LEN / 32);
}

/* One step of the write loops of scenarios b, e and f: replaces, deletes and
 * increments, with values up to 256 KiB so that most of the time goes into
 * copying under the lock and compaction (which moves the 8 MiB value) runs
 * often. A loop value is always one letter repeated: a torn one shows. */
function churn(SafeShm $s, int $i): void
{
    $k = 'loop' . ($i % LOOP_KEYS);
    try {
        if ($i % 7 === 6) {
            $s->delete($k);
        } else {
            $s->put($k, str_repeat(chr(97 + $i % 26), 100 + ($i * 7919) % (256 << 10)));
        }
        if ($i % 3 === 0) {
            $s->increment('loop_count');
        }
    } catch (SafeShmFullException) {
        // a replace needs room beside the old value; the old one stays
    }
}

function write_pid(string $file): void
{
    file_put_contents("$file.tmp", (string) getmypid());
    rename("$file.tmp", $file);
}

function pidfile(): string
{
    $f = (string) ($_GET['pidfile'] ?? '');
    if (!preg_match('/^[a-z0-9.]+$/', $f)) {
        exit("bad pidfile\n");
    }
    return $GLOBALS['tmp'] . '/' . $f;
}

final class ThrowsInSerialize
{
    public function __serialize(): array { throw new RuntimeException('boom in __serialize'); }
    public function __unserialize(array $d): void {}
}

final class ThrowsInSleep
{
    public int $x = 1;
    public function __sleep(): array { throw new RuntimeException('boom in __sleep'); }
}

final class ThrowsInUnserialize
{
    public function __construct(public string $p = '') {}
    public function __serialize(): array { return ['p' => $this->p]; }
    public function __unserialize(array $d): void { throw new RuntimeException('boom in __unserialize'); }
}

final class ThrowsInWakeup
{
    public string $p = 'w';
    public function __wakeup(): void { throw new RuntimeException('boom in __wakeup'); }
}

/* Calls the store it is being stored in / read from: only possible when no
 * user code runs under the lock (otherwise a self-deadlock until lock_timeout). */
final class UsesStoreInHooks
{
    public function __construct(public string $tag = '') {}
    public function __serialize(): array
    {
        $GLOBALS['s']->put('reentrant_serialize', $this->tag);
        return ['tag' => $this->tag];
    }
    public function __unserialize(array $d): void
    {
        $this->tag = $d['tag'];
        $GLOBALS['s']->increment('reentrant_unserialize');
    }
}

final class WarnsInWakeup
{
    public string $p = 'w';
    public function __wakeup(): void { trigger_error('warning from __wakeup', E_USER_WARNING); }
}

/* Writes through a SafeShm object it holds when destroyed at shutdown. */
final class WritesOnDestruct
{
    public function __construct(private SafeShm $s, private string $tag) {}
    public function __destruct()
    {
        $this->s->put('dtor_last', $this->tag);
        $this->s->increment('dtor_calls');
        store()->put('dtor_fresh_object', $this->tag);
    }
}

function kv(array $a): string
{
    $out = [];
    foreach ($a as $k => $v) {
        $out[] = $k . '=' . (is_bool($v) ? var_export($v, true) : $v);
    }
    return implode(' ', $out);
}

function counts(SafeShm $s): array
{
    $i = $s->info();
    return array_intersect_key($i, array_flip(['recoveries', 'lock_timeouts', 'lock_waits', 'compactions', 'writes', 'entries', 'used', 'dead']));
}

/* Test-hooks build only (safeshm.test_call): runs while a put() or getMultiple() holds the store's lock, and
 * ends the request, or its call, as ?end= says. Production builds never run user code under the lock. */
function h_under_lock(string $where): void
{
    static $calls = 0;
    $end = (string) ($_GET['end'] ?? '');
    if ($end === 'multi' && $calls++ < 32) {
        // getMultiple(): a write after each read spoils every lock-free try (16 of 2 keys); the last one locks
        $GLOBALS['s']->increment('h_a');
        return;
    }
    echo "h called at $where\n";
    flush();
    switch ($end) {
        case 'time':
        case 'multi':
            set_time_limit(1);
            for (;;) {
            }
        case 'memory':
            ini_set('memory_limit', '8M');
            $a = [];
            for (;;) {
                $a[] = str_repeat('m', 1 << 16);
            }
        case 'exit':
            exit();
        case 'handler':
            set_error_handler(function (int $no, string $msg): bool {
                throw new RuntimeException("the error handler threw on: $msg");
            });
            echo $undefined;
    }
}

$s = store();
switch ($scenario) {
    case 'setup':
        $s->clear();
        $s->put('sentinel', sentinel());
        $s->put('victim', 'original');
        $s->put('big', big());
        $s->put('obj_unserialize', new ThrowsInUnserialize('x'));
        $s->put('obj_wakeup', new ThrowsInWakeup());
        $s->put('obj_warn', new WarnsInWakeup());
        $i = $s->info();
        echo 'setup ', kv(['shmid' => $i['shmid'], 'semid' => $i['semid'], 'key' => $i['key'], 'lock' => $i['lock'], 'size' => $i['size'],
            'entries' => $i['entries']]), "\n";
        break;

    case 'check':
        // the normal request run after every fault
        try {
            $r = [];
            $r['sentinel'] = $s->get('sentinel') === sentinel() ? 'ok' : 'BAD';
            $r['victim'] = $s->get('victim') === 'original' ? 'ok' : 'BAD';
            $r['big'] = $s->get('big') === big() ? 'ok' : 'BAD';
            $r['loops'] = 'ok';
            for ($i = 0; $i < LOOP_KEYS; $i++) {
                $v = $s->get("loop$i");
                if ($v !== null && (!is_string($v) || $v === '' || $v !== str_repeat($v[0], strlen($v)))) {
                    $r['loops'] = "BAD(loop$i)";
                }
            }
            $c = $s->get('loop_count', 0);
            $r['loop_count'] = is_int($c) ? $c : 'BAD';
            $r['verify'] = $s->verify() ? 'ok' : 'BAD';
            $t = hrtime(true);
            $s->put('probe', $tag);
            $r['put_us'] = intdiv(hrtime(true) - $t, 1000);
            $r['probe'] = $s->get('probe') === $tag ? 'ok' : 'BAD';
            echo 'check ', kv($r + counts($s)), "\n";
        } catch (Throwable $e) {
            echo 'check error=', get_class($e), ':', strtr($e->getMessage(), ' ', '_'), "\n";
        }
        break;

    case 'read':
        echo 'value=', json_encode($s->get((string) ($_GET['k'] ?? ''))), "\n";
        break;

    case 'a_memory_limit':
        // ?limit=4M (the 8 MiB value is over twice the limit) or 6M (under twice)
        ini_set('memory_limit', preg_match('/^[0-9]+M$/', $_GET['limit'] ?? '') ? $_GET['limit'] : '4M');
        echo 'memory_limit=', ini_get('memory_limit'), ' memory_hard_limit_percent=', var_export(ini_get('memory_hard_limit_percent'), true), "\n";
        $v = $s->get('big');
        echo 'not reached: got ', strlen($v), " bytes\n";
        break;

    case 'b_time_limit':
        $i = 0;
        register_shutdown_function(function () use (&$i) {
            // after the timeout fatal: the same store, from a shutdown function
            $after = store()->increment('after_timeout');
            echo "shutdown: iterations=$i after_timeout=$after\n";
        });
        set_time_limit(1);
        for (;; $i++) { // ends only by the timeout's fatal error
            churn($s, $i);
        }

    case 'c_serialize':
        try {
            $s->put('victim', new ThrowsInSerialize());
            echo "put returned\n";
        } catch (RuntimeException $e) {
            echo 'caught ', get_class($e), ': ', $e->getMessage(), "\n";
        }
        echo 'victim=', $s->get('victim'), "\n";
        break;

    case 'c_sleep_uncaught':
        $s->put('victim', new ThrowsInSleep());
        echo "not reached\n";
        break;

    case 'c_unserialize':
        try {
            $v = $s->get('obj_unserialize');
            echo 'get returned ', get_debug_type($v), "\n";
        } catch (RuntimeException $e) {
            echo 'caught ', get_class($e), ': ', $e->getMessage(), "\n";
        }
        echo 'victim=', $s->get('victim'), "\n";
        break;

    case 'c_wakeup_uncaught':
        $s->get('obj_wakeup');
        echo "not reached\n";
        break;

    case 'c_reentrant':
        $t = hrtime(true);
        $before = $s->get('reentrant_unserialize', 0);
        $s->put('reentrant', new UsesStoreInHooks($tag));
        $o = $s->get('reentrant');
        echo kv([
            'inner_put' => $s->get('reentrant_serialize') === $tag ? 'ok' : 'BAD',
            'inner_increment' => $s->get('reentrant_unserialize') === $before + 1 ? 'ok' : 'BAD',
            'roundtrip' => $o instanceof UsesStoreInHooks && $o->tag === $tag ? 'ok' : 'BAD',
            'ms' => round((hrtime(true) - $t) / 1e6, 2),
        ]), "\n";
        break;

    case 'd_error_handler':
        $before = $s->get('handler_calls', 0);
        set_error_handler(function (int $no, string $msg) use ($s): bool {
            $s->increment('handler_calls');
            $s->put('handler_last', $msg);
            return true;
        });
        trigger_error("user warning $tag", E_USER_WARNING);
        $first = $s->get('handler_last');
        $v = $s->get('obj_warn'); // its __wakeup warns: the handler runs inside get()
        echo kv([
            'trigger_error' => $first === "user warning $tag" ? 'ok' : 'BAD',
            'from_wakeup' => $s->get('handler_last') === 'warning from __wakeup' && $v instanceof WarnsInWakeup ? 'ok' : 'BAD',
            'handler_calls' => $s->get('handler_calls') - $before,
        ]), "\n";
        break;

    case 'd_destructor':
        $GLOBALS['keep'] = new WritesOnDestruct($s, $tag);
        register_shutdown_function(function () use ($tag) {
            store()->put('shutdown_last', $tag);
        });
        echo "returning; destructor and shutdown function write at shutdown\n";
        break;

    case 'd_shutdown_after_fatal':
        register_shutdown_function(function () use ($tag) {
            ini_set('memory_limit', '128M');
            $t = store();
            $t->put('shutdown_last', $tag);
            echo "shutdown function stored $tag, verify=", var_export($t->verify(), true), "\n";
        });
        ini_set('memory_limit', '6M');
        $s->get('big');
        echo "not reached\n";
        break;

    case 'e_sigkill':
    case 'f_terminate':
        // loops on writes until killed (e: kill -9 by the test; f: FPM's request_terminate_timeout)
        set_time_limit(0);
        write_pid(pidfile());
        $limit = $scenario === 'e_sigkill' ? 10.0 : 5.0;
        $t0 = microtime(true);
        for ($i = 0; microtime(true) - $t0 < $limit; $i++) {
            churn($s, $i);
        }
        echo "finished $i iterations without being killed\n";
        break;

    case 'lock_end':
        // takes a named lock (?shared=1: a shared one) and ends the request with ?end=...; nothing releases it
        // but the end of the request: the worker lives on, so a death is never what frees it
        $shared = ($_GET['shared'] ?? '') === '1';
        $GLOBALS['held'] = $l = $s->lock('fpm-lock', 0, 0, $shared);
        echo 'lock_end took=', $l ? 'yes' : 'no', ' token=', $l ? $l->token() : 0, ' shared=', $shared ? 1 : 0, "\n";
        flush();
        switch ($_GET['end'] ?? '') {
            case 'fatal':
                safeshm_lock_test_undefined();
                break;
            case 'exception':
                throw new RuntimeException('lock test');
            case 'exit':
                exit();
            case 'time':
                set_time_limit(1);
                for ($i = 0; ; $i++) {
                    $x = hash('sha256', (string) $i);
                }
            case 'memory':
                ini_set('memory_limit', '4M');
                $big = str_repeat('x', 16 << 20);
                break;
            case 'object':
                // kept by an object cycle and a static: still released at the end
                $o = new stdClass();
                $o->self = $o;
                $o->lock = $l;
                unset($o, $l);
                echo "ended normally\n";
                break 2;
        }
        echo "not reached\n";
        break;

    case 'lock_check':
        // the next request: the lock must be free at once, both kinds, and nobody told a holder died
        $before = $s->locks();
        $t = hrtime(true);
        $x = $s->lock('fpm-lock');
        $us = intdiv(hrtime(true) - $t, 1000);
        $died = $x ? $x->previousHolderDied() : null;
        $x = null;
        $r1 = $s->lock('fpm-lock', 0, 0, true);
        $r2 = $s->lock('fpm-lock', 0, 0, true);
        echo 'lock_check ', kv([
            'held_before' => count($before),
            'exclusive' => $died === null ? 'BUSY' : 'ok',
            'us' => $us,
            'died' => $died === null ? 'n/a' : var_export($died, true),
            'shared' => $r1 && $r2 ? 'ok' : 'BUSY',
        ]), "\n";
        break;

    case 'g_remember_time_limit':
        // remember() on a missing key whose $compute runs into max_execution_time
        $s->delete('fpm_remember');
        echo 'markers_before=', $s->info()['locks'], "\n";
        flush();
        $s->remember('fpm_remember', function () {
            set_time_limit(1);
            for (;;) { // ends only by the timeout's fatal error
            }
        }, 60);
        echo "not reached\n";
        break;

    case 'g_remember_memory_limit':
        // remember() on a missing key whose $compute runs into memory_limit
        $s->delete('fpm_remember');
        echo 'markers_before=', $s->info()['locks'], "\n";
        flush();
        $s->remember('fpm_remember', function () {
            ini_set('memory_limit', '8M');
            $a = [];
            for (;;) {
                $a[] = str_repeat('m', 1 << 16);
            }
        }, 60);
        echo "not reached\n";
        break;

    case 'g_remember_slow_fatal':
        // the computing request of a stampede: writes its pid from inside $compute, then times out
        $s->delete('fpm_remember');
        $s->remember('fpm_remember', function () {
            write_pid(pidfile());
            set_time_limit(1);
            for (;;) {
            }
        }, 60);
        echo "not reached\n";
        break;

    case 'g_remember_waiter':
        // another request asks for the key while it is being computed: it waits, then takes over
        ini_set('safeshm.lock_timeout', '30'); // the computing request burns 1 s of CPU first, however long that takes
        $computed = false;
        $t = hrtime(true);
        try {
            $v = $s->remember('fpm_remember', function () use (&$computed) {
                $computed = true;
                return 'computed-by-' . getmypid();
            }, 60);
            echo 'waiter ', kv(['computed' => $computed ? 'yes' : 'no', 'value' => $v === 'computed-by-' . getmypid() ? 'ok' : 'BAD',
                'waited_ms' => intdiv(hrtime(true) - $t, 1000000)]), "\n";
        } catch (Throwable $e) {
            echo 'waiter error=', get_class($e), ':', strtr($e->getMessage(), ' ', '_'), "\n";
        }
        break;

    case 'g_remember_after':
        // the request after a fault inside $compute: nothing in flight, a new remember() computes at once
        // (a marker left by a live worker would make it wait the whole lock timeout, then throw)
        if (isset($_GET['delete'])) {
            $s->delete('fpm_remember');
        }
        $markers = $s->info()['locks'];
        $computed = false;
        $t = hrtime(true);
        try {
            $v = $s->remember('fpm_remember', function () use (&$computed) {
                $computed = true;
                return 'computed-by-' . getmypid();
            }, 60);
            echo 'after ', kv(['markers_before' => $markers, 'computed' => $computed ? 'yes' : 'no',
                'value' => $v === 'computed-by-' . getmypid() ? 'ok' : 'BAD', 'markers_after' => $s->info()['locks'],
                'ms' => round((hrtime(true) - $t) / 1e6, 1)]), "\n";
        } catch (Throwable $e) {
            echo 'after error=', get_class($e), ':', strtr($e->getMessage(), ' ', '_'), "\n";
        }
        $s->delete('fpm_remember');
        break;

    case 'h_under_lock':
        if (ini_get('safeshm.test_call') === false) {
            echo "h: this build has no test hooks\n";
            break;
        }
        $end = (string) ($_GET['end'] ?? '');
        register_shutdown_function(function () {
            echo "h shutdown functions ran\n";
        });
        ini_set('safeshm.test_call_at', $end === 'multi' ? 'multi:read' : 'locked');
        ini_set('safeshm.test_call', 'h_under_lock');
        try {
            if ($end === 'multi') {
                $s->getMultiple(['h_a', 'h_b']);
            } else {
                $s->put('h_key', $end);
            }
            echo "not reached\n";
        } catch (RuntimeException $e) {
            echo 'h put threw ', get_class($e), ': ', $e->getMessage(), "\n";
        }
        ini_set('safeshm.test_call', '');
        $s->put('h_key', 'next');
        echo 'h next put in the same request: ', $s->get('h_key') === 'next' ? 'ok' : 'BAD', "\n";
        break;

    default:
        http_response_code(404);
        echo "unknown scenario\n";
}
