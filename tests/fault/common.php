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
 * Read-only view of a layout-3 segment header (through shmop), for telling
 * where a killed writer was. Offsets from tests/_ipc.inc (test_hdr_offset()),
 * which follows safeshm_header in shm_store.h. The magic is not checked when
 * attaching: a creator killed while formatting leaves "FRMF" there.
 */
final class RawHeader
{
    private ?Shmop $shm = null;

    public function __construct(int $key)
    {
        $this->shm = function_exists('shmop_open') ? (@shmop_open($key, 'a', 0, 0) ?: null) : null;
        if ($this->shm && !in_array($this->magic(), [0, 0x4D485346, 0x464D5246], true)) { // "FSHM", "FRMF"
            $this->shm = null;
        }
    }

    public function ok(): bool
    {
        return $this->shm !== null;
    }

    private function field(string $name): int
    {
        [$off, $width] = TEST_HDR_FIELDS[$name];
        return test_uint(shmop_read($this->shm, $off, $width), 0, $width);
    }

    public function magic(): int { return $this->field('magic'); }
    public function version(): int { return $this->field('version'); }
    /** Odd while a mutation is in progress. */
    public function seq(): int { return $this->field('seq'); }
    /** Non-zero while a multi-key put is past its commit point (rolled forward by recovery). */
    public function journalOff(): int { return $this->field('journal_off'); }
    public function indexGen(): int { return $this->field('index_gen'); }
    public function recoveries(): int { return $this->field('recoveries'); }
    public function compactions(): int { return $this->field('compactions'); }
    public function lockOwner(): int { return $this->field('lock_owner'); }
    public function lockKind(): int { return $this->field('lock_kind'); }
    /** The first word of glibc's pthread_mutex_t in lock_area: the holder's tid, 0 when free. */
    public function lockWord(): int
    {
        return unpack('V', shmop_read($this->shm, TEST_HDR_FIELDS['lock_area'][0], 4))[1];
    }

    public function close(): void
    {
        $this->shm = null;
    }
}

/**
 * Where a process of the hooks build is inside the store: the fault point
 * (FAULT("...") in shm_*.c) it sleeps at. The hook sleeps
 * safeshm.test_fault_delay_us at every point; stopped there (SIGSTOP), the
 * process is inside clock_nanosleep, and above its stack pointer lie the
 * return addresses of the hook and of the point that called it. These are
 * found in /proc/PID/mem, translated to file:line by addr2line (the hooks
 * build has -g) and the FAULT("...") of that source line names the point.
 * The process is a fork of this one, so the extension is mapped at the same
 * address here. Needs ptrace access to the child (its parent, same user).
 */
final class FaultPoint
{
    /** @var array{0: string, 1: int, 2: int, 3: int}|null the .so, its load base, its text range */
    private static ?array $so = null;
    /** @var array<int, string> return address (file-relative) => point name, '' when none */
    private static array $names = [];
    public static bool $usable = true;
    public static string $why = '';
    /** The wait status of a process stop() found gone (it reaped it). */
    public static ?int $goneStatus = null;

    private static function so(): ?array
    {
        if (self::$so !== null) {
            return self::$so;
        }
        $base = $text = null;
        $path = '';
        foreach (@file('/proc/self/maps') ?: [] as $line) {
            $f = preg_split('/\s+/', trim($line));
            if (count($f) < 6 || !preg_match('~/safeshm\.so$~', $f[5])) {
                continue;
            }
            [$a, $b] = array_map('hexdec', explode('-', $f[0]));
            $path = $f[5];
            if (hexdec($f[2]) === 0 && $base === null) {
                $base = $a;
            }
            if ($f[1][2] === 'x') {
                $text = [$a, $b];
            }
        }
        if ($base === null || $text === null) {
            self::$usable = false;
            self::$why = 'safeshm.so not found in /proc/self/maps';
            return null;
        }
        if (trim((string) shell_exec('command -v addr2line')) === '') {
            self::$usable = false;
            self::$why = 'addr2line (binutils) is not installed';
            return null;
        }
        return self::$so = [$path, $base, $text[0], $text[1]];
    }

    /** The fault point whose call returns to $addr (relative to the .so), '' when it is no FAULT() call. */
    private static function name(string $so, int $addr): string
    {
        if (!isset(self::$names[$addr])) {
            $out = (string) shell_exec(sprintf('addr2line -i -e %s 0x%x 2>/dev/null', escapeshellarg($so), $addr - 1));
            $name = '';
            // -i: the innermost (inlined) location first
            if (preg_match('/^(\S+):(\d+)/', $out, $m) && is_file($m[1])) {
                $src = @file($m[1]);
                if (preg_match('/\bFAULT\("([^"]+)"\)/', $src[(int) $m[2] - 1] ?? '', $f)) {
                    $name = $f[1];
                }
            }
            self::$names[$addr] = $name;
        }
        return self::$names[$addr];
    }

    /**
     * Stops $pid with SIGSTOP and returns where it is: a fault point name, 'elsewhere' (not sleeping in the
     * hook: running, or in another system call), 'gone' (it exited), or 'unknown' (nothing readable). The
     * process stays stopped: the caller kills it or sends SIGCONT.
     */
    public static function stop(int $pid): string
    {
        posix_kill($pid, SIGSTOP);
        $r = pcntl_waitpid($pid, $st, WUNTRACED);
        if ($r !== $pid || !pcntl_wifstopped($st)) {
            self::$goneStatus = $r === $pid ? $st : null;
            return 'gone';
        }
        $so = self::so();
        if ($so === null) {
            return 'unknown';
        }
        [$path, $base, $t0, $t1] = $so;
        $sc = preg_split('/\s+/', trim((string) @file_get_contents("/proc/$pid/syscall")));
        // clock_nanosleep (230) or nanosleep (35) on x86-64: the hook's usleep()
        if (!isset($sc[8]) || !in_array($sc[0], ['230', '35'], true)) {
            return 'elsewhere';
        }
        $mem = @fopen("/proc/$pid/mem", 'r');
        if (!$mem) {
            self::$usable = false;
            self::$why = "/proc/$pid/mem is not readable (ptrace access)";
            return 'unknown';
        }
        fseek($mem, hexdec($sc[7]));
        $stack = (string) fread($mem, 2048);
        fclose($mem);
        $seen = 0;
        foreach (unpack('P*', substr($stack, 0, strlen($stack) & ~7)) ?: [] as $word) {
            if ($word < $t0 || $word >= $t1) {
                continue;
            }
            $name = self::name($path, $word - $base);
            if ($name !== '') {
                return $name;
            }
            if (++$seen >= 3) { // the hook's own frame, then its caller: no further
                break;
            }
        }
        return 'elsewhere';
    }

    /** Stops, locates, then SIGKILLs and reaps $pid; returns where it was and its wait status. */
    public static function kill(int $pid): array
    {
        $where = self::stop($pid);
        if ($where === 'gone') {
            return [$where, self::$goneStatus];
        }
        posix_kill($pid, SIGKILL);
        pcntl_waitpid($pid, $st);
        return [$where, $st];
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
