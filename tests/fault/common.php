<?php
/*
 * Shared by the fault-injection tests in tests/fault/: check counting, the
 * closing "N passed, N failed" line, IPC cleanup that runs on every exit
 * path, forked helper processes driven over a socket, and a read-only view
 * of a segment's header (through shmop) that tells where a killed writer was.
 * Stores use the keys of the tests' range (tests/_ipc.inc): test_key("fault-SCRIPT", n).
 */
declare(strict_types=1);
require_once dirname(__DIR__) . '/_ipc.inc';

foreach (['safeshm', 'pcntl', 'posix'] as $ext) {
    if (!extension_loaded($ext)) {
        fwrite(STDERR, "the $ext extension is not loaded (run with: php -d extension=/path/to/safeshm.so " . ($argv[0] ?? '') . ")\n");
        echo "0 passed, 1 failed\n";
        exit(1);
    }
}

final class T
{
    public static int $passed = 0;
    public static int $failed = 0;
    /** @var list<string> */
    public static array $failures = [];
    private static int $printedQuiet = 0;
    private static int $ownerPid = 0;
    /** @var array<int|string, true> stores (IPC keys) to remove at the end */
    private static array $names = [];
    /** @var array<int, true> child pids to kill at the end */
    private static array $children = [];
    private static bool $finished = false;
    public static float $t0 = 0.0;

    /** Call once at the top: cleanup on any exit, a hard time limit. */
    public static function start(string $title, int $timeLimitSeconds): void
    {
        self::$ownerPid = getmypid();
        self::$t0 = microtime(true);
        echo "== $title (PHP " . PHP_VERSION . ', safeshm ' . phpversion('safeshm')
            . ', fault hooks ' . (self::hooks() ? 'compiled in' : 'NOT compiled in') . ")\n";
        register_shutdown_function([self::class, 'shutdown']);
        pcntl_async_signals(true);
        $bail = function (int $sig) use ($timeLimitSeconds): void {
            if (getmypid() !== self::$ownerPid) {
                exit(1);
            }
            self::check(false, $sig === SIGALRM ? "finished within the time limit of {$timeLimitSeconds} s" : "not interrupted (signal $sig)");
            exit(1);
        };
        pcntl_signal(SIGALRM, $bail);
        pcntl_signal(SIGTERM, $bail);
        pcntl_signal(SIGINT, $bail);
        pcntl_alarm($timeLimitSeconds);
    }

    public static function hooks(): bool
    {
        return ini_get('safeshm.test_fault_delay_us') !== false;
    }

    /** $s printable: bytes outside ASCII 0x20..0x7e as \xNN, at most 400 characters. */
    public static function esc(string $s): string
    {
        $s = preg_replace_callback('/[^\x20-\x7e]/', fn($m) => sprintf('\\x%02x', ord($m[0])), $s);
        return strlen($s) > 400 ? substr($s, 0, 400) . '...' : $s;
    }

    /** Counts one check. A quiet check prints only when it fails. */
    public static function check(bool $ok, string $what, string $detail = '', bool $quiet = false): bool
    {
        $what = self::esc($what);
        $detail = self::esc($detail);
        if ($ok) {
            self::$passed++;
            if (!$quiet) {
                echo "  ok    $what", $detail !== '' ? " ($detail)" : '', "\n";
            }
        } else {
            self::$failed++;
            $line = $what . ($detail !== '' ? ": $detail" : '');
            self::$failures[] = $line;
            if (!$quiet || self::$printedQuiet++ < 40) {
                echo "  FAIL  $line\n";
            }
        }
        return $ok;
    }

    public static function note(string $s): void
    {
        echo "  ..    $s\n";
    }

    /** @var array<int|string, int> IPC key of each store */
    private static array $keys = [];
    private static int $nextKey = 0;

    /**
     * The IPC key of a new store of this script: the next of its 16 keys in the tests' range (each store is
     * disposed of before its key comes round again); removed at the end whatever happens.
     */
    public static function storeName(string $what): int
    {
        $script = 'fault-' . basename(get_included_files()[0], '.php');
        $key = test_key($script, self::$nextKey++ % TEST_KEYS_PER_TEST);
        test_ipc_remove($key); // what a run killed before its cleanup left
        self::$names[$key] = true;
        self::$keys[$key] = $key;
        return $key;
    }

    /** Creates the store (it must not exist yet) and remembers its IPC key for the cleanup. */
    public static function create(int|string $name, int $size): SafeShm
    {
        $s = new SafeShm($name, $size);
        self::$keys[$name] = $s->info()['key'];
        return $s;
    }

    /** Records the IPC key of a store another process created. */
    public static function own(int|string $name, int $key): void
    {
        self::$names[$name] = true;
        self::$keys[$name] = $key;
    }

    public static function key(int|string $name): int
    {
        return self::$keys[$name];
    }

    public static function trackChild(int $pid): void
    {
        self::$children[$pid] = true;
    }

    public static function untrackChild(int $pid): void
    {
        unset(self::$children[$pid]);
    }

    /** Removes a store's segment and semaphore, whatever state they are in. */
    public static function removeStore(int|string $name): void
    {
        try {
            (new SafeShm($name, 4096))->remove(); // creates it for a moment if it is gone: also takes the semaphore
        } catch (Throwable) {
        }
        if (isset(self::$keys[$name])) {
            // Whatever is still there (an orphan semaphore, a damaged segment): by key.
            test_ipc_remove(self::$keys[$name]);
        }
    }

    /** Removes a store now and checks that nothing of it is left. */
    public static function dispose(int|string $name, string $label): void
    {
        self::removeStore($name);
        $left = self::ipcObjects($name);
        self::check($left === [], "$label: segment and semaphore removed at the end", $left ? implode(' ', $left) : '', true);
        unset(self::$names[$name]);
    }

    /** Every IPC object under the store's key, as "shm:<id>" / "sem:<id>". */
    public static function ipcObjects(int|string $name): array
    {
        if (!isset(self::$keys[$name])) {
            return [];
        }
        $key = self::$keys[$name];
        $want = [sprintf('0x%08x', $key) => 'shm', sprintf('0x%08x', test_sem_key($key)) => 'sem'];
        $found = [];
        foreach (['m' => 'shm', 's' => 'sem'] as $flag => $kind) {
            foreach (explode("\n", (string) shell_exec("ipcs -$flag 2>/dev/null")) as $line) {
                $f = preg_split('/\s+/', trim($line));
                if (isset($f[1], $want[$f[0]]) && $want[$f[0]] === $kind) {
                    $found[] = "$kind:$f[1]";
                }
            }
        }
        return $found;
    }

    public static function shutdown(): void
    {
        if (getmypid() !== self::$ownerPid) {
            return; // a forked helper exiting: the store is not its to remove
        }
        pcntl_alarm(0);
        $err = error_get_last();
        if (!self::$finished && $err && in_array($err['type'], [E_ERROR, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR, E_RECOVERABLE_ERROR], true)) {
            self::check(false, 'the test ran to its end', strtok($err['message'], "\n") . " at line {$err['line']}");
        }
        foreach (array_keys(self::$children) as $pid) {
            posix_kill($pid, SIGKILL);
            pcntl_waitpid($pid, $st);
        }
        self::$children = [];
        $left = [];
        foreach (array_keys(self::$names) as $name) {
            self::removeStore($name);
            $left = array_merge($left, self::ipcObjects($name));
        }
        self::$names = [];
        if (!self::$finished) {
            self::check($left === [], 'every IPC object this test made is removed', $left ? implode(' ', $left) : '');
            self::summary();
        }
    }

    /** Final cleanup, the closing line and the exit code. */
    public static function finish(): never
    {
        self::shutdown();
        exit(self::$failed ? 1 : 0);
    }

    private static function summary(): void
    {
        self::$finished = true;
        printf("-- %.1f s\n", microtime(true) - self::$t0);
        if (self::$failures) {
            echo "failures:\n";
            foreach (array_slice(array_count_values(self::$failures), 0, 30, true) as $f => $n) {
                echo "  - $f", $n > 1 ? " (x$n)" : '', "\n";
            }
        }
        echo self::$passed, ' passed, ', self::$failed, " failed\n";
    }
}

/**
 * Read-only view of a segment header, for telling where a killed writer was.
 * Offsets follow safeshm_header in shm_store.h (layout versions 1 and 2 share them).
 */
final class RawHeader
{
    private ?Shmop $shm = null;

    public function __construct(int $key)
    {
        $this->shm = function_exists('shmop_open') ? (@shmop_open($key, 'a', 0, 0) ?: null) : null;
        if ($this->shm && $this->u32(0) !== 0x4D485346) { // "FSHM"
            $this->shm = null;
        }
        if ($this->shm && !in_array($this->u32(4), [1, 2], true)) {
            $this->shm = null;
        }
    }

    public function ok(): bool
    {
        return $this->shm !== null;
    }

    private function u32(int $off): int
    {
        return unpack('V', shmop_read($this->shm, $off, 4))[1];
    }

    private function u64(int $off): int
    {
        return unpack('P', shmop_read($this->shm, $off, 8))[1];
    }

    public function seq(): int { return $this->u64(56); }
    public function moveLen(): int { return $this->u64(168); }
    /** The journalled compaction move: [src, dst, len, done]. */
    public function move(): array { return [$this->u64(152), $this->u64(160), $this->u64(168), $this->u64(176)]; }
    public function recoveries(): int { return $this->u64(136); }
    public function compactions(): int { return $this->u64(112); }
    public function lockOwner(): int { return $this->u32(196); }
    public function lockKind(): int { return $this->u32(404); }
    /** The first word of glibc's pthread_mutex_t in lock_area: the holder's tid, 0 when free. */
    public function lockWord(): int { return $this->u32(448); }

    public function close(): void
    {
        $this->shm = null;
    }
}

/**
 * A forked helper process that runs named commands sent over a socket and
 * answers each with ['ok' => true, 'v' => value, 't' => seconds] or
 * ['ok' => false, 'class' => ..., 'msg' => ..., 't' => seconds].
 */
final class Helper
{
    public int $pid;
    /** @var resource */
    private $sock;

    /** @param array<string, callable> $commands */
    public static function spawn(array $commands, ?callable $init = null): self
    {
        [$a, $b] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
        $pid = pcntl_fork();
        if ($pid < 0) {
            throw new RuntimeException('fork failed');
        }
        if ($pid === 0) {
            fclose($a);
            pcntl_alarm(0);
            if ($init) {
                $init();
            }
            while (($line = fgets($b)) !== false) {
                [$cmd, $args] = unserialize(base64_decode($line));
                if ($cmd === 'exit') {
                    break;
                }
                $t = hrtime(true);
                try {
                    $v = $commands[$cmd](...$args);
                    $r = ['ok' => true, 'v' => $v];
                } catch (Throwable $e) {
                    $r = ['ok' => false, 'class' => get_class($e), 'msg' => $e->getMessage()];
                }
                $r['t'] = (hrtime(true) - $t) / 1e9;
                fwrite($b, base64_encode(serialize($r)) . "\n");
            }
            exit(0);
        }
        fclose($b);
        T::trackChild($pid);
        $h = new self();
        $h->pid = $pid;
        $h->sock = $a;
        return $h;
    }

    /** Sends a command without waiting for its answer. */
    public function send(string $cmd, mixed ...$args): void
    {
        fwrite($this->sock, base64_encode(serialize([$cmd, $args])) . "\n");
    }

    /** The next answer, or null when none came within $timeout seconds (or the helper died). */
    public function recv(float $timeout = 10.0): ?array
    {
        $r = [$this->sock];
        $w = $e = null;
        $sec = (int) $timeout;
        if (@stream_select($r, $w, $e, $sec, (int) (($timeout - $sec) * 1e6)) < 1) {
            return null;
        }
        $line = fgets($this->sock);
        return $line === false ? null : unserialize(base64_decode($line));
    }

    public function call(string $cmd, mixed ...$args): ?array
    {
        $this->send($cmd, ...$args);
        return $this->recv();
    }

    public function alive(): bool
    {
        return pcntl_waitpid($this->pid, $st, WNOHANG) === 0;
    }

    /** Asks it to exit and reaps it; returns the wait status description. */
    public function stop(): string
    {
        @fwrite($this->sock, base64_encode(serialize(['exit', []])) . "\n");
        $deadline = microtime(true) + 5;
        while (($r = pcntl_waitpid($this->pid, $st, WNOHANG)) === 0 && microtime(true) < $deadline) {
            usleep(5000);
        }
        if ($r === 0) {
            posix_kill($this->pid, SIGKILL);
            pcntl_waitpid($this->pid, $st);
        }
        T::untrackChild($this->pid);
        fclose($this->sock);
        return describe_status($r === -1 ? null : $st);
    }
}

function describe_status(?int $st): string
{
    if ($st === null) {
        return 'already reaped';
    }
    if (pcntl_wifexited($st)) {
        return 'exit ' . pcntl_wexitstatus($st);
    }
    if (pcntl_wifsignaled($st)) {
        return 'killed by signal ' . pcntl_wtermsig($st);
    }
    return "status $st";
}

/** "ok: <value>" or "<ExceptionClass>: <message>" for an answer from a Helper. */
function describe_answer(?array $r): string
{
    if ($r === null) {
        return 'no answer (helper died or hung)';
    }
    if ($r['ok']) {
        $v = is_array($r['v']) ? json_encode($r['v'], JSON_UNESCAPED_SLASHES) : var_export($r['v'], true);
        return 'returned ' . (strlen($v) > 160 ? substr($v, 0, 160) . '...' : $v);
    }
    return $r['class'] . ': ' . $r['msg'];
}
